import { z } from 'zod';
import { parseRfc3339 } from '../document/parse-rfc3339.js';
import { SbomError } from './sbom-error.js';
import type { LicenseClaim, SbomDocument, SbomPackage } from './sbom-document.js';
import { zodIssueMessage } from '../document/zod-issue-message.js';

/** The SPDX versions whose JSON serialisation this parser knows (SPDX 2.2 and 2.3, §6–7). */
const SUPPORTED = new Set(['SPDX-2.2', 'SPDX-2.3']);

// Only the fields the verifier reads are typed; everything else passes through unread.
const externalRef = z.looseObject({ referenceType: z.string(), referenceLocator: z.string() });
const spdxPackage = z.looseObject({
  name: z.string(),
  versionInfo: z.string().nullish(),
  licenseConcluded: z.string().nullish(),
  licenseDeclared: z.string().nullish(),
  externalRefs: z.array(externalRef).nullish(),
});
const spdxDocument = z.looseObject({
  spdxVersion: z.string(),
  creationInfo: z.looseObject({ created: z.string(), creators: z.array(z.string()) }),
  packages: z.array(spdxPackage).nullish(),
});

/** Values that state there is no license information, not a license (SPDX 2.3 §7.13). */
const NO_ASSERTION = new Set(['NOASSERTION', 'NONE']);

/**
 * Reads an SPDX 2.2/2.3 JSON document (already parsed within depth limits).
 * Throws `SbomError` (`UNSUPPORTED_VERSION`, `INVALID_DOCUMENT`) naming the offending field.
 */
export function parseSpdxDocument(value: unknown): SbomDocument {
  const version = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).spdxVersion : undefined;
  if (typeof version === 'string' && !SUPPORTED.has(version)) {
    throw new SbomError('UNSUPPORTED_VERSION', `SPDX version "${version.slice(0, 32)}" is not supported (SPDX-2.2, SPDX-2.3)`);
  }
  const parsed = spdxDocument.safeParse(value);
  if (!parsed.success) throw new SbomError('INVALID_DOCUMENT', `invalid SPDX document: ${zodIssueMessage(parsed.error)}`);
  const doc = parsed.data;
  return {
    format: 'spdx',
    specVersion: doc.spdxVersion.slice('SPDX-'.length),
    created: parseRfc3339(doc.creationInfo.created),
    createdText: doc.creationInfo.created,
    creators: doc.creationInfo.creators,
    packages: (doc.packages ?? []).map((p): SbomPackage => ({
      name: p.name,
      version: p.versionInfo || undefined, // bom writes "" for "no version"
      purls: (p.externalRefs ?? []).filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator),
      licenses: licensesOf(p.licenseConcluded, p.licenseDeclared),
    })),
  };
}

/**
 * The concluded license is what the SBOM author determined applies (SPDX 2.3 §7.13), so it
 * decides when it is asserted; when it is NOASSERTION/NONE/absent the declared license
 * (§7.15, what the package itself states) is used instead.
 */
function licensesOf(concluded: string | null | undefined, declared: string | null | undefined): LicenseClaim[] {
  for (const text of [concluded, declared]) {
    if (text && !NO_ASSERTION.has(text.trim())) return [{ kind: 'expression', text }];
  }
  const stated = concluded ?? declared;
  return stated ? [{ kind: 'expression', text: stated }] : [];
}
