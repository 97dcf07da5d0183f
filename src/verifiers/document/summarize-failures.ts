/** How many messages a one-line summary quotes before counting the rest. */
const MAX_QUOTED = 3;

/** `2 violations: a; b` / `7 violations: a; b; c; and 4 more` — one line for a person. */
export function summarizeFailures(messages: readonly string[], noun: string): string {
  const n = messages.length;
  const quoted = messages.slice(0, MAX_QUOTED).join('; ');
  const more = n > MAX_QUOTED ? `; and ${n - MAX_QUOTED} more` : '';
  return `${n} ${noun}${n === 1 ? '' : 's'}: ${quoted}${more}`;
}
