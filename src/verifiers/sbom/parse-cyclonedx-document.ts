import { z } from 'zod';
import { parseRfc3339 } from '../document/parse-rfc3339.js';
import { SbomError } from './sbom-error.js';
import type { LicenseClaim, SbomDocument, SbomPackage } from './sbom-document.js';
import { zodIssueMessage } from '../document/zod-issue-message.js';

/**
 * CycloneDX JSON versions this parser knows. 1.7 (October 2025, Syft's default output since
 * then) changes nothing this verifier reads: components, licenses, purl, metadata.
 */
const SUPPORTED = new Set(['1.4', '1.5', '1.6', '1.7']);

const licenseChoice = z.union([
  z.looseObject({ expression: z.string() }),
  z.looseObject({ license: z.looseObject({ id: z.string().nullish(), name: z.string().nullish() }) }),
]);
// Nested `components` stay unknown here: they are walked with an explicit stack below,
// never by a recursive schema.
const component = z.looseObject({
  name: z.string(),
  group: z.string().nullish(),
  version: z.string().nullish(),
  purl: z.string().nullish(),
  licenses: z.array(licenseChoice).nullish(),
  components: z.array(z.unknown()).nullish(),
});
const tool = z.looseObject({ vendor: z.string().nullish(), name: z.string().nullish(), version: z.string().nullish() });
const tools = z.union([
  z.array(tool), // 1.4 (deprecated in 1.5)
  z.looseObject({ components: z.array(tool).nullish(), services: z.array(tool).nullish() }), // 1.5+
]);
const contact = z.looseObject({ name: z.string().nullish(), email: z.string().nullish() });
const cyclonedxDocument = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  metadata: z.looseObject({
    timestamp: z.string().nullish(),
    tools: tools.nullish(),
    authors: z.array(contact).nullish(),
  }).nullish(),
  components: z.array(z.unknown()).nullish(),
});

/** Upper bound on components walked, whatever the nesting: bounds time on hostile input. */
const MAX_COMPONENTS = 1_000_000;

/**
 * Reads a CycloneDX 1.4–1.7 JSON document (already parsed within depth limits): every
 * component, nested ones included, becomes a package. `metadata.component` (the thing the
 * SBOM describes, usually the image itself) is not a package.
 * Throws `SbomError` (`UNSUPPORTED_VERSION`, `INVALID_DOCUMENT`) naming the offending field.
 */
export function parseCycloneDxDocument(value: unknown): SbomDocument {
  const version = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).specVersion : undefined;
  if (typeof version === 'string' && !SUPPORTED.has(version)) {
    throw new SbomError('UNSUPPORTED_VERSION', `CycloneDX version "${version.slice(0, 32)}" is not supported (1.4 to 1.7)`);
  }
  const parsed = cyclonedxDocument.safeParse(value);
  if (!parsed.success) throw new SbomError('INVALID_DOCUMENT', `invalid CycloneDX document: ${zodIssueMessage(parsed.error)}`);
  const doc = parsed.data;
  const timestamp = doc.metadata?.timestamp;

  const packages: SbomPackage[] = [];
  const stack: Array<{ value: unknown; path: (string | number)[] }> = [];
  const pushAll = (list: readonly unknown[] | null | undefined, path: (string | number)[]): void => {
    // Reversed so that components come out in document order.
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) stack.push({ value: list?.[i], path: [...path, i] });
  };
  pushAll(doc.components, ['components']);
  while (stack.length > 0) {
    if (packages.length >= MAX_COMPONENTS) throw new SbomError('INVALID_DOCUMENT', `more than ${MAX_COMPONENTS} components`);
    const { value: raw, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    const c = component.safeParse(raw);
    if (!c.success) throw new SbomError('INVALID_DOCUMENT', `invalid CycloneDX document: ${zodIssueMessage(c.error, path)}`);
    packages.push({
      name: c.data.name,
      version: c.data.version || undefined,
      purls: c.data.purl ? [c.data.purl] : [],
      licenses: (c.data.licenses ?? []).flatMap((l): LicenseClaim[] => {
        if (typeof l.expression === 'string') return [{ kind: 'expression', text: l.expression }];
        const license = (l as { license: { id?: string | null; name?: string | null } }).license;
        if (license.id) return [{ kind: 'expression', text: license.id }];
        return license.name ? [{ kind: 'name', text: license.name }] : [];
      }),
    });
    pushAll(c.data.components, [...path, 'components']);
  }

  return {
    format: 'cyclonedx',
    specVersion: doc.specVersion,
    created: timestamp ? parseRfc3339(timestamp) : undefined,
    createdText: timestamp ?? undefined,
    creators: creatorsOf(doc.metadata),
    packages,
  };
}

type Metadata = z.output<typeof cyclonedxDocument>['metadata'];

/** Tools and authors, written the way SPDX writes creators so that both formats read alike. */
function creatorsOf(metadata: Metadata): string[] {
  const out: string[] = [];
  const t = metadata?.tools;
  const toolList = Array.isArray(t) ? t : [...(t?.components ?? []), ...(t?.services ?? [])];
  for (const x of toolList) {
    const name = [x.vendor, x.name].filter(Boolean).join(' ');
    if (name) out.push(`Tool: ${name}${x.version ? `-${x.version}` : ''}`);
  }
  for (const a of metadata?.authors ?? []) {
    if (a.name || a.email) out.push(`Person: ${[a.name, a.email ? `(${a.email})` : ''].filter(Boolean).join(' ')}`);
  }
  return out;
}
