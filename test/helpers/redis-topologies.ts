/**
 * Real Redis Sentinel and Cluster set-ups for tests, from the one `redis-server` binary
 * (Debian's redis-server runs as a Sentinel with `--sentinel`; no other package is needed):
 *   - a Sentinel monitoring one master (quorum 1);
 *   - a one-node Cluster owning all 16 384 slots.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { startRedisServer, type RunningRedis } from './redis-server.js';
import { waitFor } from './wait-for.js';

export interface RunningSentinel {
  readonly master: RunningRedis;
  readonly sentinel: RunningRedis;
  /** `redis+sentinel://127.0.0.1:<port>/<name>`. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startRedisSentinel(masterName = 'portcullis'): Promise<RunningSentinel> {
  const master = await startRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-sentinel-'));
  // A Sentinel rewrites its config file, so it gets its own writable one.
  const configFile = join(dir, 'sentinel.conf');
  writeFileSync(configFile, `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1\n`);
  let sentinel: RunningRedis;
  try {
    sentinel = await startRedisServer({ configFile, args: ['--sentinel', '--dir', dir] });
  } catch (err) {
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const probe = createClient({ url: `redis://127.0.0.1:${sentinel.port}` });
  await probe.connect();
  try {
    await waitFor('the sentinel to know its master', async () => {
      const reply = await probe.sendCommand(['SENTINEL', 'get-master-addr-by-name', masterName]);
      return Array.isArray(reply) && reply.length === 2 ? true : undefined;
    }, 10_000, 50);
  } finally { await probe.close(); }
  return {
    master, sentinel, url: `redis+sentinel://127.0.0.1:${sentinel.port}/${masterName}`,
    async stop() {
      await sentinel.stop();
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningCluster {
  readonly node: RunningRedis;
  /** `redis+cluster://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RunningCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cluster-'));
  const node = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir] });
  const admin = createClient({ url: `redis://127.0.0.1:${node.port}` });
  await admin.connect();
  try {
    await admin.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
    await waitFor('the cluster to be ok', async () => (String(await admin.sendCommand(['CLUSTER', 'INFO'])).includes('cluster_state:ok') ? true : undefined), 10_000, 50);
  } finally { await admin.close(); }
  return {
    node, url: `redis+cluster://127.0.0.1:${node.port}`,
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
