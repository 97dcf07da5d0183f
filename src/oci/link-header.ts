/**
 * Parses the `Link` header the referrers and tags APIs paginate with (RFC 8288):
 * `</v2/a/referrers/sha256:…?n=10&last=x>; rel="next"`.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 */

/** The target of the `rel="next"` link, or undefined. Malformed headers yield undefined. */
export function parseNextLink(header: string | undefined | null): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const params = m[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return m[1];
  }
  return undefined;
}
