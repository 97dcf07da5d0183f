import { parsePurl, type Purl } from './parse-purl.js';
import type { SbomPackage } from './sbom-document.js';
import { versionInRange } from './version-in-range.js';

/** One `disallowedPackages` entry, normalised by the options parser. */
export interface DisallowedPackageRule {
  /** As configured: a package name, or a PURL without qualifiers (`pkg:npm/left-pad`). */
  readonly name: string;
  /** Set when `name` is a PURL. */
  readonly purl: Purl | undefined;
  /** A semver range (`<1.3.0`, `>=2 <2.4.1`); absent means every version. */
  readonly version: string | undefined;
}

/**
 * Whether a package matches a deny rule. A PURL rule matches packages that carry a PURL with
 * the same type, namespace and name (case-insensitively: over-matching a deny rule is the
 * safe side), and the same version when the rule's PURL has one; a name rule matches the
 * package name case-insensitively. The range, when given, is checked against the matched
 * PURL's version (else the package version) with `versionInRange`, in the PURL's ecosystem.
 */
export function matchDisallowedPackage(pkg: SbomPackage, rule: DisallowedPackageRule): boolean {
  if (rule.purl) {
    const want = rule.purl;
    return pkg.purls.some((text) => {
      const have = parsePurl(text);
      if (!have || have.type !== want.type || !same(have.namespace, want.namespace) || !same(have.name, want.name)) return false;
      const version = have.version ?? pkg.version;
      if (want.version !== undefined && version !== want.version) return false;
      return rule.version === undefined || versionInRange(version, rule.version, have.type);
    });
  }
  if (!same(pkg.name, rule.name)) return false;
  const ecosystem = pkg.purls[0] !== undefined ? parsePurl(pkg.purls[0])?.type : undefined;
  return rule.version === undefined || versionInRange(pkg.version, rule.version, ecosystem);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
