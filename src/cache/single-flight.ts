/**
 * Concurrent identical lookups share one in-flight call (SPEC "Cache"): the first caller runs
 * `fn`, the others await the same promise. Nothing is remembered once it settles — caching is
 * the Cache's job. A waiter's own AbortSignal still ends its wait without cancelling the others.
 */
export interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Keys in flight (for tests and metrics). */
  readonly size: number;
}

export function createSingleFlight(): SingleFlight {
  const inflight = new Map<string, Promise<unknown>>();
  return {
    do<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      let p = inflight.get(key) as Promise<T> | undefined;
      if (!p) {
        p = (async () => {
          try { return await fn(); } finally { inflight.delete(key); }
        })();
        inflight.set(key, p);
      }
      if (!signal) return p;
      return raceAbort(p, signal);
    },
    get size() { return inflight.size; },
  };
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The shared call goes on for the others; its failure is theirs, not an unhandled rejection.
    p.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); },
    );
  });
}
