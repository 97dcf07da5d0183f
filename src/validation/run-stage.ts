/**
 * Runs one pipeline stage under the admission deadline. The stage gets the signal; if it does
 * not honour it, the race below still returns when the signal aborts, so nothing can hang the
 * answer (SPEC "HTTP": the answer always comes back before the deadline).
 */
import { errorMessage } from '../shared/error-message.js';
export type Stage = 'resolve' | 'platforms' | 'referrers' | 'fetch' | 'verify' | 'nested' | 'policy';

export interface StageError {
  readonly stage: Stage;
  readonly message: string;
}

export type StageOutcome<T> =
  | { readonly ok: true; readonly value: T }
  /** `cause` is what the stage threw (absent when the deadline ended it). */
  | { readonly ok: false; readonly error: StageError; readonly cause?: unknown };

/**
 * Runs `fn` as `stage`. `registry` names the registry a registry stage talks to: a stage cut
 * off by the deadline then says that registry did not answer in time, and a failure names it,
 * so a denial tells which registry failed the image (SPEC "Validation"; docs/validation.md).
 */
export async function runStage<T>(stage: Stage, signal: AbortSignal, what: string, fn: (signal: AbortSignal) => Promise<T>, registry?: string): Promise<StageOutcome<T>> {
  const prefix = what ? `${what}: ` : '';
  const late = (): StageOutcome<T> => ({
    ok: false,
    error: {
      stage,
      message: registry
        ? `${prefix}registry ${registry} did not answer in time (deadline exceeded before ${stage} could finish)`
        : `${prefix}deadline exceeded before ${stage} could finish`,
    },
  });
  const failed = (e: unknown): string => {
    const m = errorMessage(e);
    return registry && !m.includes(registry) ? `${prefix}registry ${registry}: ${m}` : `${prefix}${m}`;
  };
  if (signal.aborted) return late();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<StageOutcome<T>>((resolve) => {
    onAbort = () => resolve(late());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      fn(signal).then(
        (value): StageOutcome<T> => ({ ok: true, value }),
        (e: unknown): StageOutcome<T> => (signal.aborted ? late() : { ok: false, error: { stage, message: failed(e) }, cause: e }),
      ),
      aborted,
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
