import type { z } from 'zod';

/** One line naming the first problem zod found, with its JSON path (`packages[3].name: …`). */
export function zodIssueMessage(error: z.ZodError, prefix: readonly (string | number)[] = []): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = [...prefix, ...issue.path].reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
  return `${path || '(document)'}: ${issue.message}`;
}
