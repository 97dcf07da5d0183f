/** A Package URL split into its parts (https://github.com/package-url/purl-spec). */
export interface Purl {
  /** Lower-cased, e.g. `npm`, `apk`, `maven`. */
  readonly type: string;
  /** Decoded segments joined with `/`, `''` when absent (`@angular` for `pkg:npm/%40angular/core`). */
  readonly namespace: string;
  readonly name: string;
  readonly version: string | undefined;
}

/** PURLs longer than this are not parsed (no real one comes close). */
const MAX_PURL_CHARS = 4096;

/**
 * Parses `pkg:type/namespace/name@version?qualifiers#subpath` following the purl spec's
 * parsing rules (split subpath, qualifiers, then the scheme and type from the left, the version
 * from the right at the last `@`, the name as the last path segment). Qualifiers and subpath
 * are dropped. Returns undefined for anything that is not a PURL.
 */
export function parsePurl(text: string): Purl | undefined {
  if (text.length > MAX_PURL_CHARS || !/^pkg:/i.test(text)) return undefined;
  let rest = text.slice(4).replace(/^\/+/, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const query = rest.indexOf('?');
  if (query >= 0) rest = rest.slice(0, query);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return undefined;
  rest = rest.slice(slash + 1).replace(/\/+$/, '');
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter((s) => s !== '').map(decode);
  if (segments.some((s) => s === undefined)) return undefined;
  const name = segments.pop();
  if (!name) return undefined;
  return { type, namespace: segments.join('/'), name, version: version || undefined };
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
