const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/**
 * Parses a duration written the Go way (`720h`, `1h30m`, `90s`) plus days and weeks
 * (`30d`, `2w`), as Ratify's `maximumAge` does. Returns milliseconds, or undefined when the
 * text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  if (text.length > 64 || !WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
  return Number.isFinite(total) && total > 0 ? total : undefined;
}
