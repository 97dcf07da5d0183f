/**
 * A small TTL cache for API server reads, with single flight: concurrent lookups of one key
 * share one call. Each caller may give up on its own signal without cancelling the shared
 * call (it is bounded by its own timeout instead). Failures are not cached.
 */
import { LRUCache } from 'lru-cache';
import { KubernetesError } from './kubernetes-error.js';

export interface TtlCache<T> {
  get(key: string, load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
  delete(key: string): void;
}

export interface TtlCacheOptions {
  readonly ttlMs: number;
  readonly max?: number;
  /** Bound on one shared load (the loads themselves are bounded too; this is the backstop). */
  readonly loadTimeoutMs: number;
}

// lru-cache values must be non-nullish: wrap them.
interface Box<T> { readonly value: T }

export function createTtlCache<T>(options: TtlCacheOptions): TtlCache<T> {
  const entries = new LRUCache<string, Box<T>>({ max: options.max ?? 1_000, ttl: options.ttlMs, ttlAutopurge: false });
  const inflight = new Map<string, Promise<T>>();

  const race = (p: Promise<T>, signal: AbortSignal): Promise<T> => {
    if (signal.aborted) return Promise.reject(new KubernetesError('ABORTED', 'aborted by the caller'));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new KubernetesError('ABORTED', 'aborted by the caller'));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
        (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); },
      );
    });
  };

  return {
    get(key, load, signal) {
      const hit = entries.get(key);
      if (hit) return Promise.resolve(hit.value);
      let p = inflight.get(key);
      if (!p) {
        p = load(AbortSignal.timeout(options.loadTimeoutMs)).then(
          (value) => { entries.set(key, { value }); return value; },
        ).finally(() => inflight.delete(key));
        inflight.set(key, p);
        // Callers that already gave up must not turn a later failure into an unhandled rejection.
        p.catch(() => undefined);
      }
      return race(p, signal);
    },
    delete(key) { entries.delete(key); },
  };
}
