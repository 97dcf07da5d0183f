/**
 * A counting semaphore of units (bytes of registry content, request slots): `acquire(n)`
 * resolves once `n` units are free, in FIFO order so a large reservation is not starved by a
 * stream of small ones, and gives back an idempotent release. A wait ends early when the
 * caller's signal aborts or its `waitUntil` (epoch ms) passes; both end it with an OciError,
 * never a hang.
 */
import { OciError } from './errors.js';

export interface CountingSemaphore {
  /** Units that can be held at once; `setLimit` changes it (a config reload). */
  readonly limit: number;
  /**
   * A new limit (at least 1). Units held above a lowered limit stay held until released;
   * waiters are granted as soon as they fit under the new one.
   */
  setLimit(limit: number): void;
  /** Units currently held. */
  readonly held: number;
  /** Callers waiting for units. */
  readonly waiting: number;
  /**
   * Waits for `n` units. Refused at once (BUDGET_EXCEEDED) when `n` is over the limit: it could
   * never be granted. `what` names the budget in error messages.
   */
  acquire(n: number, options: AcquireOptions): Promise<() => void>;
}

export interface AcquireOptions {
  readonly signal: AbortSignal;
  /** Epoch ms after which the wait fails with BUDGET_EXHAUSTED. */
  readonly waitUntil?: number | undefined;
  /** Names the budget and the request in errors, e.g. `registries.maxBytesPerRequest`. */
  readonly what: string;
}

interface Waiter {
  readonly n: number;
  grant(): void;
}

export function createCountingSemaphore(limit: number): CountingSemaphore {
  let held = 0;
  const queue: Waiter[] = [];

  function releaser(n: number): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      held -= n;
      drain();
    };
  }

  function drain(): void {
    while (queue.length > 0 && held + queue[0]!.n <= limit) {
      const w = queue.shift()!;
      held += w.n;
      w.grant();
    }
  }

  return {
    get limit() { return limit; },
    setLimit(next) {
      limit = Math.max(1, Math.floor(next));
      drain();
    },
    get held() { return held; },
    get waiting() { return queue.length; },
    acquire(n, { signal, waitUntil, what }) {
      if (n > limit) {
        return Promise.reject(new OciError('BUDGET_EXCEEDED', `${what}: ${n} units wanted, the whole budget is ${limit}`, { details: { wanted: n, limit } }));
      }
      if (signal.aborted) return Promise.reject(new OciError('ABORTED', `${what}: the request ended before the budget was granted`));
      if (queue.length === 0 && held + n <= limit) {
        held += n;
        return Promise.resolve(releaser(n));
      }
      return new Promise<() => void>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const cleanup = () => {
          signal.removeEventListener('abort', onAbort);
          if (timer) clearTimeout(timer);
        };
        const leave = (err: OciError) => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          cleanup();
          reject(err);
          // The head may have been the one blocking smaller waiters behind it.
          drain();
        };
        const waiter: Waiter = { n, grant: () => { cleanup(); resolve(releaser(n)); } };
        const onAbort = () => leave(new OciError('ABORTED', `${what}: the request ended while waiting for the budget`));
        signal.addEventListener('abort', onAbort, { once: true });
        if (waitUntil !== undefined) {
          const ms = Math.max(0, waitUntil - Date.now());
          timer = setTimeout(() => leave(new OciError('BUDGET_EXHAUSTED', `${what}: ${n} units were not free within ${ms} ms (${held} of ${limit} held)`, { details: { wanted: n, held, limit } })), ms);
        }
        queue.push(waiter);
      });
    },
  };
}
