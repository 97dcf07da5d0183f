import semver from 'semver';
import { z } from 'zod';
import { CYCLONEDX_JSON, SPDX_JSON } from '../../oci/media-types.js';
import type { VerifierConfigEntry } from '../verifier.js';
import { configErrorFromZod } from '../document/config-error-from-zod.js';
import { licenseNames } from './license-expression/license-names.js';
import { maximumAgeOption } from '../document/maximum-age-option.js';
import { parsePurl } from './parse-purl.js';
import { signatureRequirementOption } from '../document/signature-requirement-option.js';

export const DEFAULT_SBOM_ARTIFACT_TYPES: readonly string[] = [SPDX_JSON, CYCLONEDX_JSON];
export const DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DOCUMENT_DEPTH = 64;

const packageRule = z
  .strictObject({
    name: z.string().min(1).max(1024),
    version: z.string().min(1).refine((r) => semver.validRange(r) !== null, 'not a semver range (e.g. "<1.3.0", ">=2 <2.4.1")').optional(),
  })
  .transform((r, ctx) => {
    const purl = r.name.toLowerCase().startsWith('pkg:') ? parsePurl(r.name) : undefined;
    if (r.name.toLowerCase().startsWith('pkg:') && !purl) {
      ctx.issues.push({ code: 'custom', message: `"${r.name}" is not a valid package URL`, path: ['name'], input: r.name });
      return z.NEVER;
    }
    return { name: r.name, purl, version: r.version };
  });

/** The licence and package rules, shared with SBOM predicates of attestations (sbom-predicate-rules.ts). */
export const sbomRuleFields = {
  /** SPDX license identifiers (or `LicenseRef-…`, or `A WITH E`), matched case-insensitively. */
  disallowedLicenses: z.array(z.string().trim().min(1).max(512)).default([]),
  disallowedPackages: z.array(packageRule).default([]),
};

const sbomOptions = z.strictObject({
  name: z.string().min(1),
  type: z.literal('sbom'),
  artifactTypes: z.array(z.string().min(1)).min(1).default([...DEFAULT_SBOM_ARTIFACT_TYPES]),
  ...sbomRuleFields,
  maximumAge: maximumAgeOption.optional(),
  requireSignature: signatureRequirementOption,
  maxDocumentBytes: z.number().int().positive().max(256 * 1024 * 1024).default(DEFAULT_MAX_DOCUMENT_BYTES),
  maxDocumentDepth: z.number().int().min(8).max(512).default(DEFAULT_MAX_DOCUMENT_DEPTH),
});

export type SbomOptions = z.output<typeof sbomOptions> & {
  /** Every name of every disallowed license, lower-cased (see `licenseNames`). */
  readonly disallowedLicenseNames: ReadonlySet<string>;
};

/** Validates a `type: sbom` config entry; throws ConfigError naming `<path>.<field>`. */
export function parseSbomOptions(entry: VerifierConfigEntry, path: string): SbomOptions {
  const parsed = sbomOptions.safeParse(entry);
  if (!parsed.success) throw configErrorFromZod(parsed.error, path);
  return { ...parsed.data, disallowedLicenseNames: disallowedLicenseNames(parsed.data.disallowedLicenses) };
}

/** Every name of every disallowed license, lower-cased (`A WITH E` kept whole). */
export function disallowedLicenseNames(licenses: readonly string[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const l of licenses) {
    const compound = /^(\S+)\s+WITH\s+(\S+)$/i.exec(l);
    if (compound) names.add(`${compound[1]} WITH ${compound[2]}`.toLowerCase());
    else for (const n of licenseNames(l)) names.add(n);
  }
  return names;
}
