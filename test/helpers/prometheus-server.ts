/**
 * A real Prometheus (Debian's build, linked by scripts/install-tools.sh) on 127.0.0.1 with a
 * random port, its TSDB in a temporary directory, scraping the given targets every second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { toolPath } from './tools.js';

export interface PrometheusVectorSample { metric: Record<string, string>; value: [number, string] }

export interface RunningPrometheus {
  readonly url: string;
  /** An instant query through the HTTP API (`/api/v1/query`); throws when Prometheus reports an error. */
  query(expr: string): Promise<PrometheusVectorSample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: { job: string; targets: readonly string[]; scrapeInterval?: string }): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, stringify({
    global: { scrape_interval: options.scrapeInterval ?? '1s', evaluation_interval: options.scrapeInterval ?? '1s' },
    scrape_configs: [{ job_name: options.job, static_configs: [{ targets: options.targets }] }],
  }));
  const proc: ChildProcess = spawn(toolPath('prometheus'), [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--web.listen-address=127.0.0.1:0',
    '--storage.tsdb.retention.time=1h', '--log.level=info',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prometheus did not start listening in 30 s:\n${log.slice(-2000)}`)), 30_000);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      if (log.length < 64 * 1024) log += chunk;
      // Prometheus logs the bound address after listening on port 0.
      const m = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(`http://${m[1]}`); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`prometheus exited with ${code}:\n${log.slice(-2000)}`)); });
  });
  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(10_000) });
      const body = await res.json() as { status: string; error?: string; data?: { resultType: string; result: PrometheusVectorSample[] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      if (body.data?.resultType !== 'vector') throw new Error(`query ${expr} gave a ${body.data?.resultType}, not a vector`);
      return body.data.result;
    },
    stop,
  };
}
