/**
 * Refresh-ahead (issue 15, "never cold at admission"): an entry read in the last part of its
 * life is answered as it is and refreshed in the background, so the lookups of a running
 * workload — its tags and referrer lists, read on every Pod it starts — stay warm instead of
 * expiring into a registry round trip on the admission path.
 *
 * Bounded: at most `maxConcurrent` refreshes run at once (beyond that a due entry is left to
 * expire as it would without refresh-ahead), one per key, each under its own deadline; a
 * failed refresh changes nothing (the entry still expires at its time). `close()` aborts them.
 */
export interface RefreshAheadOptions {
  /** Share of the TTL after which a read entry is refreshed. Default 0.75. */
  readonly fraction?: number;
  /** Refreshes in flight at most. Default 8. */
  readonly maxConcurrent?: number;
  /** Deadline of one refresh. Default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface RefreshAhead {
  /** True when an entry stored at `storedAt` (ms) with a TTL of `ttlMs` is due for refresh. */
  due(storedAt: number, ttlMs: number): boolean;
  /** Runs `refresh` in the background unless one for `key` is running or the bound is reached. */
  schedule(key: string, refresh: (signal: AbortSignal) => Promise<unknown>): void;
  /** Refreshes running now. */
  readonly inFlight: number;
  /** Resolves once no refresh runs (tests). */
  idle(): Promise<void>;
  close(): void;
}

export function createRefreshAhead(options: RefreshAheadOptions = {}): RefreshAhead {
  const fraction = options.fraction ?? 0.75;
  const max = options.maxConcurrent ?? 8;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  const stop = new AbortController();
  return {
    due: (storedAt, ttlMs) => ttlMs > 0 && now() - storedAt >= ttlMs * fraction,
    schedule(key, refresh) {
      if (stop.signal.aborted || running.has(key) || running.size >= max) return;
      const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]);
      const p = Promise.resolve().then(() => refresh(signal)).then(() => undefined, () => undefined).finally(() => running.delete(key));
      running.set(key, p);
    },
    get inFlight() { return running.size; },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    close() { stop.abort(); },
  };
}
