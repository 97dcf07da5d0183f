/**
 * The registry client's connection pools: one undici Pool per registry origin (keep-alive,
 * `connectionsPerOrigin` sockets at most), in a bounded LRU. Anyone who can create Pods can
 * name any number of registry hosts, so the number of origins held open is capped: the least
 * recently used pool is closed when a new origin would pass `maxOrigins` (its running requests
 * finish first, undici's graceful close). A pool whose sockets have all gone idle-closed
 * (`keepAliveTimeout`) is closed and forgotten, so nothing is kept per host that is no longer
 * talked to. Idle keep-alive sockets of many origins add up: once `maxSockets` are open, pools
 * with nothing running are closed (least recently used first) before another origin is used.
 */
import { Dispatcher, Pool } from 'undici';

export interface PoolSetOptions {
  /** Registry origins with a pool at once. */
  readonly maxOrigins: number;
  /** Sockets per origin (so concurrent requests per registry). */
  readonly connectionsPerOrigin: number;
  /** Open sockets, idle ones included, above which idle pools are closed. Default: no bound. */
  readonly maxSockets?: number;
  /** Per-request socket timeouts in ms. */
  readonly timeoutMs: number;
  /** Idle keep-alive sockets are closed after this long. */
  readonly keepAliveTimeoutMs?: number;
}

export interface PoolSetStats {
  /** Origins with a pool. */
  readonly origins: number;
  /** Open sockets across all pools. */
  readonly connected: number;
  /** Pools closed to make room for another origin. */
  readonly evicted: number;
  /** Idle pools closed because `maxSockets` were open. */
  readonly trimmed: number;
}

export class PoolSet extends Dispatcher {
  readonly #pools = new Map<string, Pool>();
  readonly #options: PoolSetOptions;
  #evicted = 0;
  #trimmed = 0;
  #closed = false;

  constructor(options: PoolSetOptions) {
    super();
    this.#options = options;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#closed) throw new Error('the registry connection pools are closed');
    return this.#poolFor(String(opts.origin)).dispatch(opts, handler);
  }

  #poolFor(origin: string): Pool {
    this.#trimIdle(origin);
    const pool = this.#pools.get(origin);
    if (pool) {
      // Most recently used last: Map iteration order is the LRU order.
      this.#pools.delete(origin);
      this.#pools.set(origin, pool);
      return pool;
    }
    while (this.#pools.size >= this.#options.maxOrigins) {
      const [oldest, old] = this.#pools.entries().next().value as [string, Pool];
      this.#pools.delete(oldest);
      this.#evicted++;
      void old.close().catch(() => undefined);
    }
    const { timeoutMs } = this.#options;
    const created = new Pool(origin, {
      connections: this.#options.connectionsPerOrigin,
      keepAliveTimeout: this.#options.keepAliveTimeoutMs ?? 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, 10_000) },
    });
    const closeIfIdle = () => {
      const s = created.stats;
      if (this.#pools.get(origin) !== created || s.connected > 0 || s.size > 0) return;
      this.#pools.delete(origin);
      void created.close().catch(() => undefined);
    };
    // After the last socket went away (idle timeout, server close, failed connect).
    created.on('disconnect', () => queueMicrotask(closeIfIdle));
    created.on('connectionError', () => queueMicrotask(closeIfIdle));
    this.#pools.set(origin, created);
    return created;
  }

  /** Closes idle pools (LRU first) while the sockets open are at `maxSockets`. */
  #trimIdle(keep: string): void {
    const max = this.#options.maxSockets;
    if (max === undefined) return;
    // Counting sockets walks every pool's clients: skip it while the pools cannot reach the bound.
    if (this.#pools.size * this.#options.connectionsPerOrigin < max) return;
    let connected = 0;
    for (const p of this.#pools.values()) connected += p.stats.connected;
    for (const [origin, p] of this.#pools) {
      if (connected < max) return;
      const s = p.stats;
      if (origin === keep || s.size > 0) continue;
      this.#pools.delete(origin);
      this.#trimmed++;
      connected -= s.connected;
      void p.close().catch(() => undefined);
    }
  }

  /** True when the open sockets may be `n` or more: the cheap bound first, the count only if it could be. */
  mayHaveSockets(n: number): boolean {
    return this.#pools.size * this.#options.connectionsPerOrigin >= n && this.stats().connected >= n;
  }

  stats(): PoolSetStats {
    let connected = 0;
    for (const p of this.#pools.values()) connected += p.stats.connected;
    return { origins: this.#pools.size, connected, evicted: this.#evicted, trimmed: this.#trimmed };
  }

  override async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  override async destroy(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

export function createPoolSet(options: PoolSetOptions): PoolSet {
  return new PoolSet(options);
}
