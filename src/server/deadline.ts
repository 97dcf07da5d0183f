/**
 * The answer's deadline (SPEC "HTTP"): the API server appends `?timeout=Ns` (1–30 s) to the
 * webhook URL; Portcullis must answer before it, minus `admission.deadlineBufferMs` for the
 * trip back.
 */
const MAX_TIMEOUT_MS = 30_000;
/** Even a tiny timeout leaves a little time to work rather than failing instantly. */
const MIN_BUDGET_MS = 20;

/** `10s`, `1.5s`, `500ms`, `1m` → milliseconds; anything else → the default. */
export function parseTimeout(value: unknown, defaultSeconds: number): number {
  const fallback = defaultSeconds * 1000;
  if (typeof value !== 'string') return fallback;
  const m = /^(\d{1,6}(?:\.\d{1,3})?)(ms|s|m)?$/.exec(value.trim());
  if (!m) return fallback;
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms > 0)) return fallback;
  return Math.min(ms, MAX_TIMEOUT_MS);
}

/** Milliseconds of work allowed for a request with this timeout. */
export function workBudget(timeoutMs: number, bufferMs: number): number {
  return Math.max(timeoutMs - bufferMs, MIN_BUDGET_MS);
}

/** Bounds of the margin kept between the ports' deadline and the answer's (see `verdictBudget`). */
const MIN_MARGIN_MS = 200;
const MAX_MARGIN_MS = 1_000;

/**
 * Milliseconds the ports (validator, pinner) get out of a work budget: a tenth of it less,
 * kept between 200 ms and 1 s (and never more than half the budget). Two deadlines keep two
 * failures apart (issue 13, class 6): a registry that stalls runs into the ports' deadline,
 * and the validator still answers in time with its own verdict for that image ("did not answer
 * in time" — denied in enforce mode), so `admission.failurePolicy` is not involved; only when
 * Portcullis itself cannot answer by the answer's deadline (overload, a port that hangs) does
 * `admission.failurePolicy` decide.
 */
export function verdictBudget(budgetMs: number): number {
  const margin = Math.min(MAX_MARGIN_MS, Math.max(Math.round(budgetMs / 10), Math.min(MIN_MARGIN_MS, Math.floor(budgetMs / 2))));
  return budgetMs - margin;
}
