/**
 * Starts a real `redis-server` on a free loopback port for a test (no persistence); `kill()`
 * simulates an outage. `configFile` + `args` start other roles of the same binary (a Sentinel:
 * a config file and `--sentinel`; a Cluster node: `--cluster-enabled yes`), see redis-topologies.ts.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './registry-server.js';
import { toolPath } from './tools.js';

export interface RunningRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILLs the server (an outage); `stop()` afterwards is a no-op. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisServer(options: { configFile?: string; args?: readonly string[] } = {}): Promise<RunningRedis> {
  const port = await freePort();
  const args = [...(options.configFile ? [options.configFile] : []), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...(options.args ?? [])];
  const child = spawn(toolPath('redis-server'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('redis-server exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('redis-server did not start'); }
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; }
  };
  return { url: `redis://127.0.0.1:${port}`, port, kill, stop: kill };
}
