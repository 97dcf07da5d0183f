/** RFC 3339 date-time (the `date-time` of JSON schema, SPDX 2.3 §6.9, OCI annotations). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 time; undefined for anything else. `Date` alone would accept `2023`,
 * `Nov 1` or a bare date in local time, which a document must not get away with when its age
 * is being judged.
 */
export function parseRfc3339(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
