/**
 * Hostile-registry benchmark (issue 14; a benchmark, not a test: it prints figures and asserts
 * only that every Pod is answered, and denied).
 *
 * Set-up: the hostile registry of test/helpers/hostile-registry.ts (every image lists 64
 * Notation "signatures", each a 16 MiB layer; `--listeners` origins) in this process; Portcullis
 * in a child process (this file with --server: startPortcullis from the composition root, HTTPS,
 * the default config apart from `registries.insecure` and a Notation verifier, logs to
 * /dev/null, `--max-old-space-size=384` as in manifests/deployment.yaml) so its RSS is its own. Then:
 *   1. the worst single Pod: 16 images, `/validate?timeout=10s`;
 *   2. `--pods` (default 32) worst Pods at once.
 * Printed per phase: the server's RSS before (after a full GC) and its peak during the phase
 * (sampled every 20 ms in the server, and getrusage's maxRSS), the sockets open at once at the
 * registry's listeners, the bytes it sent, and Portcullis' own gauges when it has them
 * (portcullis_registry_bytes_held_max). Targets: the worst Pod adds <= 128 MiB; <= 64 sockets
 * for one request.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/hostile-pod.ts [--pods 32] [--listeners 4]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../src/certs/index.js';
import type { startPortcullis as StartPortcullis } from '../src/main.js';
import { httpsRequest } from '../test/helpers/https-client.js';
import { podReview } from '../test/helpers/hostile-portcullis.js';
import { startHostileRegistry } from '../test/helpers/hostile-registry.js';

const MiB = 1024 * 1024;
const NOTARY = 'application/vnd.cncf.notary.signature';

type ServerMessage = { kind: 'ready'; url: string; metricsUrl: string } | { kind: 'memory'; baseline: number; peak: number; maxRss: number };

// ---------------------------------------------------------------- server (child)

async function server(configPath: string): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // --dist: the compiled server (what the container runs), else the sources compiled by swc.
  const { startPortcullis } = (await import(process.env.PORTCULLIS_BENCH_DIST ? '../dist/main.js' : '../src/main.js')) as { startPortcullis: typeof StartPortcullis };
  const running = await startPortcullis({ configPath, kubeConfig: null, logger: pino({ level: 'info' }, pino.destination('/dev/null')) });
  let peak = 0;
  setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20).unref();
  process.on('message', (m: { kind: 'phase' | 'stop' }) => {
    if (m.kind === 'stop') { void running.close().then(() => process.exit(0)); return; }
    // A new phase: settle, collect garbage, measure the baseline and restart the peak from it.
    gc();
    const baseline = process.memoryUsage.rss();
    const previousPeak = peak;
    peak = baseline;
    process.send?.({ kind: 'memory', baseline, peak: previousPeak, maxRss: process.resourceUsage().maxRSS * 1024 } satisfies ServerMessage);
  });
  process.send?.({ kind: 'ready', url: running.url, metricsUrl: running.metricsUrl } satisfies ServerMessage);
}

// ---------------------------------------------------------------- bench (parent)

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    pods: { type: 'string', default: '32' }, listeners: { type: 'string', default: '4' },
    'memory-limit': { type: 'string' }, dist: { type: 'boolean', default: false },
  } });
  const pods = Number(values.pods);
  const registry = await startHostileRegistry({ referrers: 64, layerBytes: 16 * MiB, listeners: Number(values.listeners) });
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-hostile-'));
  const certs = generateCertSet();
  await writeCertSet(join(work, 'certs'), certs);
  writeFileSync(join(work, 'trust-ca.pem'), generateCertSet().ca.certPem);
  const configPath = join(work, 'portcullis.yaml');
  writeFileSync(configPath, stringify({
    server: { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 1000 },
    tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
    registries: { insecure: registry.hosts },
    verifiers: [{
      name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
      trustStores: { ca: { release: [join(work, 'trust-ca.pem')] } },
      trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
    }],
  }));

  // The shipped Deployment's heap limit (manifests/deployment.yaml NODE_OPTIONS).
  const child: ChildProcess = fork(import.meta.filename, ['--server', configPath], {
    execArgv: [...process.execArgv, '--max-old-space-size=384'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(values.dist ? { PORTCULLIS_BENCH_DIST: '1' } : {}) },
  });
  // --memory-limit MiB: the server runs in a cgroup (v1 memory controller) with that hard limit,
  // swap included, as the container would: above it the kernel kills the process.
  const cgroup = values['memory-limit'] ? enterMemoryCgroup(child.pid!, Number(values['memory-limit']) * MiB) : undefined;
  let exited: string | undefined;
  child.once('exit', (code, signal) => { exited = signal ?? `exit ${code}`; });
  const next = () => new Promise<ServerMessage>((resolve, reject) => {
    const onExit = () => reject(new Error(`the server ended (${exited})`));
    child.once('exit', onExit);
    child.once('message', (m: ServerMessage) => { child.off('exit', onExit); resolve(m); });
  });
  const ready = await next();
  if (ready.kind !== 'ready') throw new Error('the server did not start');
  const phase = async () => { const m = next(); child.send({ kind: 'phase' }); const r = await m; if (r.kind !== 'memory') throw new Error('unexpected message'); return r; };
  const gauge = async (name: string): Promise<number | undefined> => {
    const text = await (await fetch(`${ready.metricsUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : undefined;
  };
  const worstPod = (k: number) => Array.from({ length: 16 }, (_, i) => registry.image(k * 16 + i));
  const validate = async (images: readonly string[]) => {
    const res = await httpsRequest(`${ready.url}/validate?timeout=10s`, { method: 'POST', body: JSON.stringify(podReview(images)), ca: certs.ca.certPem, timeoutMs: 20_000 });
    if (res.status !== 200) throw new Error(`/validate answered ${res.status}`);
    const answer = res.json<{ response: { allowed: boolean; status?: { message: string } } }>().response;
    if (answer.allowed) throw new Error('a hostile Pod was allowed');
    return answer;
  };

  const rows: string[][] = [];
  const run = async (name: string, podImages: string[][]) => {
    if (exited) { rows.push([name, `server ended before the phase (${exited})`]); return; }
    const before = await phase();
    registry.reset();
    const started = performance.now();
    const settled = await Promise.allSettled(podImages.map(validate));
    const seconds = (performance.now() - started) / 1000;
    const failed = settled.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      // A killed server (the memory limit) is the figure; a wrong answer is a failed set-up.
      if (!exited) await new Promise((r) => setTimeout(r, 500));
      if (!exited) throw (failed[0] as PromiseRejectedResult).reason;
      rows.push([name, `SERVER KILLED (${exited}) after ${seconds.toFixed(1)} s; ${failed.length}/${settled.length} Pods unanswered`]);
      return;
    }
    const answers = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof validate>>>).value);
    const after = await phase();
    const s = registry.stats();
    const held = await gauge('portcullis_registry_bytes_held_max');
    const timedOut = answers.filter((a) => a.status?.message.includes('timed out')).length;
    rows.push([
      name, (after.baseline / MiB).toFixed(0), (before.baseline / MiB).toFixed(0), (after.peak / MiB).toFixed(0), `+${((after.peak - before.baseline) / MiB).toFixed(0)}`,
      (after.maxRss / MiB).toFixed(0), String(s.peakSockets), (s.bytesSent / MiB).toFixed(0), String(s.requests.blobs ?? 0),
      held === undefined ? 'n/a' : (held / MiB).toFixed(0), `${seconds.toFixed(1)}`, `${timedOut}/${answers.length}`,
    ]);
    process.stderr.write(`${name}: done in ${seconds.toFixed(1)} s\n`);
  };

  try {
    await run('worst single Pod (16 images x 64 x 16 MiB)', [worstPod(0)]);
    await run(`${pods} worst Pods at once`, Array.from({ length: pods }, (_, k) => worstPod(k + 1)));
  } finally {
    if (!exited) {
      child.send({ kind: 'stop' });
      await new Promise((r) => child.once('exit', r));
    }
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
  if (cgroup) console.log(`${cgroup.report()}; server ${exited === 'exit 0' ? 'survived (stopped normally)' : `ended: ${exited}`}\n`);
  cgroup?.remove();

  const head = ['phase', 'rss after (MiB)', 'rss before', 'peak rss', 'peak - before', 'maxRSS so far', 'peak sockets', 'MiB sent', 'blob GETs', 'bytes_held_max (MiB)', 'seconds', 'timed out'];
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/**
 * A child cgroup of this process's own (cgroup v1, /sys/fs/cgroup/memory/…) with a hard
 * memory limit (swap included), and `pid` moved into it. `report()` reads the kernel's figures.
 */
function enterMemoryCgroup(pid: number, bytes: number): { report(): string; remove(): void } {
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[1] === 'memory')?.[2];
  if (own === undefined || !existsSync('/sys/fs/cgroup/memory')) throw new Error('--memory-limit needs the cgroup v1 memory controller');
  const dir = join('/sys/fs/cgroup/memory', own, `portcullis-bench-${process.pid}`);
  mkdirSync(dir);
  const write = (file: string, value: string | number) => writeFileSync(join(dir, file), String(value));
  write('memory.limit_in_bytes', bytes);
  if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) write('memory.memsw.limit_in_bytes', bytes);
  write('cgroup.procs', pid);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8').trim();
  return {
    report: () => {
      const oom = Object.fromEntries(read('memory.oom_control').split('\n').map((l) => l.split(' ')));
      return `memory cgroup: limit ${(bytes / MiB).toFixed(0)} MiB (swap included), max usage ${(Number(read('memory.max_usage_in_bytes')) / MiB).toFixed(0)} MiB, `
        + `limit hits (failcnt) ${read('memory.failcnt')}, OOM kills ${oom.oom_kill ?? 'n/a'}`;
    },
    remove: () => { try { rmdirSync(dir); } catch { /* a process still in it: left for the OS */ } },
  };
}

if (process.argv[2] === '--server') void server(process.argv[3]!);
else await main();
