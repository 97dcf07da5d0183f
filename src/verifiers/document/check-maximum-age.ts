/** Creation times this far ahead of our clock are tolerated as clock skew. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Checks a document's creation time against a maximum age. Returns a reason a person can
 * act on when the document is too old, has no usable creation time, or claims to be from the
 * future (beyond clock skew: a forged or broken timestamp must not buy extra freshness);
 * undefined when it is fresh enough.
 */
export function checkMaximumAge(created: Date | undefined, maximumAge: { readonly text: string; readonly ms: number }, now: Date, what: string): string | undefined {
  if (!created) return `${what} has no creation time, so its age (maximum ${maximumAge.text}) cannot be checked`;
  const age = now.getTime() - created.getTime();
  if (age < -CLOCK_SKEW_MS) return `${what} creation time ${created.toISOString()} is in the future`;
  if (age > maximumAge.ms) return `${what} created ${created.toISOString()} is older than the maximum age ${maximumAge.text}`;
  return undefined;
}
