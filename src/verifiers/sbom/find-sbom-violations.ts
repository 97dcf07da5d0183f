import { checkMaximumAge } from '../document/check-maximum-age.js';
import { clip } from '../document/clip.js';
import { evaluateLicenseExpression } from './license-expression/evaluate-license-expression.js';
import { matchDisallowedPackage, type DisallowedPackageRule } from './match-disallowed-package.js';
import type { SbomDocument, SbomPackage } from './sbom-document.js';

/** One reason an SBOM fails its policy (documented in docs/verifiers/sbom.md). */
export interface SbomViolation {
  readonly kind: 'license' | 'package' | 'age';
  readonly package?: string;
  readonly version?: string;
  readonly purl?: string;
  /** The license statement that failed (kind `license`). */
  readonly license?: string;
  /** The disallowed licenses it names (kind `license`). */
  readonly disallowed?: readonly string[];
  /** The deny rule that matched (kind `package`), as configured. */
  readonly rule?: string;
  readonly message: string;
}

export interface SbomRules {
  readonly disallowedLicenseNames: ReadonlySet<string>;
  readonly disallowedPackages: readonly DisallowedPackageRule[];
  readonly maximumAge?: { readonly text: string; readonly ms: number } | undefined;
}

/**
 * Every violation of the rules in the document, in document order: age first, then per
 * package its license and deny-rule violations. A package listed more than once (Syft lists a
 * package found by two catalogers, e.g. package.json and package-lock.json, twice) gives one
 * violation: identical violations are reported once.
 */
export function findSbomViolations(doc: SbomDocument, rules: SbomRules, now: Date): SbomViolation[] {
  const all: SbomViolation[] = [];
  collect(doc, rules, now, all);
  const seen = new Set<string>();
  return all.filter((v) => {
    const key = JSON.stringify([v.kind, v.package, v.version, v.license, v.rule]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collect(doc: SbomDocument, rules: SbomRules, now: Date, out: SbomViolation[]): void {
  if (rules.maximumAge) {
    const reason = doc.created === undefined && doc.createdText !== undefined
      ? `the SBOM creation time "${clip(doc.createdText, 64)}" is not an RFC 3339 time, so its age (maximum ${rules.maximumAge.text}) cannot be checked`
      : checkMaximumAge(doc.created, rules.maximumAge, now, 'the SBOM');
    if (reason) out.push({ kind: 'age', message: reason });
  }
  const checkLicenses = rules.disallowedLicenseNames.size > 0;
  for (const pkg of doc.packages) {
    if (checkLicenses) out.push(...licenseViolations(pkg, rules.disallowedLicenseNames));
    for (const rule of rules.disallowedPackages) {
      if (!matchDisallowedPackage(pkg, rule)) continue;
      const range = rule.version ? ` ${rule.version}` : '';
      out.push({
        kind: 'package', ...identity(pkg), rule: `${rule.name}${range}`,
        message: `${label(pkg)} is a disallowed package (${clip(rule.name)}${range})`,
      });
    }
  }
}

function licenseViolations(pkg: SbomPackage, disallowed: ReadonlySet<string>): SbomViolation[] {
  const out: SbomViolation[] = [];
  for (const claim of pkg.licenses) {
    if (claim.kind === 'name') {
      if (!disallowed.has(claim.text.trim().toLowerCase())) continue;
      out.push({
        kind: 'license', ...identity(pkg), license: clip(claim.text), disallowed: [clip(claim.text)],
        message: `${label(pkg)} is licensed under disallowed license "${clip(claim.text)}"`,
      });
      continue;
    }
    const verdict = evaluateLicenseExpression(claim.text, disallowed);
    if (verdict.allowed) continue;
    const names = verdict.disallowed.map((n) => clip(n));
    out.push({
      kind: 'license', ...identity(pkg), license: clip(claim.text), disallowed: names,
      message: `${label(pkg)} license "${clip(claim.text)}" cannot be satisfied without a disallowed license (${names.join(', ')})`,
    });
  }
  return out;
}

function identity(pkg: SbomPackage): Pick<SbomViolation, 'package' | 'version' | 'purl'> {
  return {
    package: clip(pkg.name),
    ...(pkg.version !== undefined ? { version: clip(pkg.version) } : {}),
    ...(pkg.purls[0] !== undefined ? { purl: clip(pkg.purls[0], 512) } : {}),
  };
}

function label(pkg: SbomPackage): string {
  return pkg.version !== undefined ? `${clip(pkg.name)}@${clip(pkg.version)}` : clip(pkg.name);
}
