/**
 * The few Redis commands the shared cache needs, over whichever deployment `cache.redis.url`
 * names (parse-redis-url.ts): one server, Sentinel or Cluster (node-redis v6 createClient,
 * createSentinel, createCluster). Commands fail fast rather than queue while disconnected
 * (`disableOfflineQueue`).
 */
import { createClient, createCluster, createSentinel } from 'redis';
import { parseRedisUrl } from './parse-redis-url.js';

export interface RedisConnection {
  /** Bytes 0…end (inclusive) of a string value; '' when the key is absent. */
  getRange(key: string, end: number): Promise<string>;
  setPx(key: string, value: string, ttlMs: number): Promise<void>;
  readonly isReady: boolean;
  readonly isOpen: boolean;
  on(event: 'error', listener: (err: unknown) => void): void;
  on(event: 'ready', listener: () => void): void;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

export interface RedisConnectionOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  /** Next reconnect delay in ms, or false to stop. */
  readonly reconnectStrategy: (retries: number) => number | false;
}

/** What the three node-redis clients share for our purpose. */
interface Commands {
  getRange(key: string, start: number, end: number): Promise<string | null>;
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  readonly isReady: boolean;
  readonly isOpen: boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): unknown;
}

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const target = parseRedisUrl(options.url);
  const socket = { connectTimeout: options.connectTimeoutMs, reconnectStrategy: options.reconnectStrategy };
  let client: Commands;
  if (target.type === 'standalone') {
    client = createClient({ url: target.url, disableOfflineQueue: true, socket }) as unknown as Commands;
  } else {
    const node = {
      ...(target.username !== undefined ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      disableOfflineQueue: true,
      socket: { ...socket, ...(target.tls ? { tls: true as const } : {}) },
    };
    client = (target.type === 'sentinel'
      ? createSentinel({ name: target.masterName, sentinelRootNodes: [...target.nodes], nodeClientOptions: node, sentinelClientOptions: node })
      : createCluster({ rootNodes: target.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })), defaults: node })) as unknown as Commands;
  }
  return {
    getRange: async (key, end) => (await client.getRange(key, 0, end)) ?? '',
    async setPx(key, value, ttlMs) {
      await client.set(key, value, { expiration: { type: 'PX', value: ttlMs } });
    },
    get isReady() { return client.isReady; },
    get isOpen() { return client.isOpen; },
    on(event: 'error' | 'ready', listener: (err?: unknown) => void) { client.on(event, listener); },
    connect: () => client.connect(),
    close: () => client.close(),
    destroy: () => { void client.destroy(); },
  };
}
