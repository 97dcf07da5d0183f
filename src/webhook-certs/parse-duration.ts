/**
 * Durations in the config, written like cert-manager's and Go's (`2160h`, `30m`, `1h30m`,
 * `90d`): one or more `<integer><unit>` with units s, m, h, d. Milliseconds out.
 */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WHOLE = /^(?:\d{1,9}[smhd]){1,4}$/;
const PART = /(\d{1,9})([smhd])/g;

/** Milliseconds, or undefined when `text` is not a duration of that form. */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}
