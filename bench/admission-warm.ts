/**
 * Warm-path benchmark of the admission webhook over HTTPS (SPEC "Performance"; a benchmark,
 * not a test: it prints figures and asserts nothing about speed).
 *
 * Set-up: olareg with 10 images, each signed by the real notation CLI; Portcullis started
 * in-process with startPortcullis (mTLS off, memory cache, the bundled default policy,
 * mutation on, info logging to /dev/null so the per-request log line is paid for). One
 * request fills the cache, a short JIT warm-up follows, then:
 *   1. latency: N sequential-ish 10-container Pod AdmissionReviews to POST /validate?timeout=10s
 *      at concurrency 1 and 8 over keep-alive connections: p50/p90/p99/max;
 *   2. saturation: 64 keep-alive clients for S seconds against /validate and /mutate
 *      (pinning, cached): requests/s and p99;
 *   3. memory: peak RSS of the server process (sampled every 100 ms) during each phase, and
 *      after filling the cache: T tags × 10 repositories pointing at the signed images are
 *      resolved through /validate, one `digest` entry each, which with the defaults (LRU bound
 *      10 000 entries over all kinds) leaves the cache at its bound;
 *   4. registry requests during the warm phases (portcullis_registry_requests_total): should be 0.
 * The load generator is a child process (this file with --load-worker) so the server's event
 * loop is not shared with the client; both still share the machine's cores.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/admission-warm.ts \
 *     [--requests N] [--seconds S] [--clients C] [--tags T] [--rate R] [--cpu-prof FILE]
 * --rate R: open loop instead (R req/s for S seconds, latency from each due time), Portcullis
 * and a trivial HTTPS floor in the same run; see bench/README.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:https';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../src/certs/index.js';
import { startPortcullis, type RunningPortcullis } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../test/helpers/signed-images-fixture.js';

const IMAGES = 10;
/** Open loop: keep-alive sockets at most (requests due beyond it wait in the agent, still timed). */
const OPEN_LOOP_SOCKETS = 64;
const UID_SLOT = 'bench-uid-slot';

interface LoadJob {
  readonly id: number;
  readonly url: string;
  readonly path: '/validate' | '/mutate';
  readonly ca: string;
  readonly concurrency: number;
  /** Stop after this many requests … */
  readonly requests?: number;
  /** … or after this many seconds. */
  readonly seconds?: number;
  /** Request i sends a Pod with the images pods[i % pods.length]. */
  readonly pods: readonly (readonly string[])[];
  /**
   * Open loop: request i is due at start + i / rate seconds and is sent then whether or not
   * earlier ones have completed (`concurrency` is then only the socket bound); its latency is
   * counted from that due time, so a stall shows in every request it delays (no coordinated
   * omission).
   */
  readonly rate?: number;
}

interface LoadResult {
  readonly id: number;
  readonly latencies: number[];
  readonly failures: number;
  readonly firstFailure: string | null;
  readonly elapsedMs: number;
  /** Open loop: requests sent, and the most any was sent after its due time (generator lag, ms). */
  readonly sent?: number;
  readonly maxSendLagMs?: number;
}

// ---------------------------------------------------------------- load generator (child)

/** The AdmissionReview split around its uid, so each request only concatenates strings. */
function reviewTemplate(images: readonly string[]): [string, string] {
  const text = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: UID_SLOT,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'bench', namespace: 'default', operation: 'CREATE',
      userInfo: { username: 'bench@example.com', groups: ['system:authenticated'] },
      object: {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'bench', namespace: 'default' },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
      oldObject: null, dryRun: false,
    },
  });
  const [before, after] = text.split(JSON.stringify(UID_SLOT));
  return [`${before!}"`, `"${after!}`];
}

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('client timeout (15 s)')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Checks the answer is what a warm, all-signed Pod must get; returns a failure text or null. */
function checkAnswer(path: LoadJob['path'], uid: string, status: number, body: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 300)}`;
  const r = (JSON.parse(body) as { response?: { uid?: string; allowed?: boolean; patchType?: string; status?: { message?: string } } }).response;
  if (r?.uid !== uid) return `wrong uid: ${body.slice(0, 300)}`;
  if (r.allowed !== true) return `denied: ${r.status?.message ?? body.slice(0, 300)}`;
  if (path === '/mutate' && r.patchType !== 'JSONPatch') return `no patch: ${body.slice(0, 300)}`;
  return null;
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency, ca: job.ca });
  const url = new URL(`${job.url}${job.path}?timeout=10s`);
  const templates = job.pods.map(reviewTemplate);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const start = performance.now();
  const end = job.seconds === undefined ? Infinity : start + job.seconds * 1000;
  const client = async () => {
    for (;;) {
      if ((job.requests !== undefined && next >= job.requests) || performance.now() >= end) return;
      const i = next++;
      const uid = `bench-${job.id}-${i}`;
      const [before, after] = templates[i % templates.length]!;
      const t = performance.now();
      try {
        const res = await post(agent, url, before + uid + after);
        const failure = checkAnswer(job.path, uid, res.status, res.body);
        if (failure) throw new Error(failure);
        latencies.push(performance.now() - t);
      } catch (e) {
        failures++;
        firstFailure ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { id: job.id, latencies, failures, firstFailure, elapsedMs };
}

async function runOpenLoop(job: LoadJob & { rate: number; seconds: number }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency, ca: job.ca });
  const url = new URL(`${job.url}${job.path}?timeout=10s`);
  const templates = job.pods.map(reviewTemplate);
  const total = Math.round(job.rate * job.seconds);
  const interval = 1000 / job.rate;
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let maxSendLagMs = 0;
  let sent = 0;
  const inFlight: Promise<void>[] = [];
  // Every socket is connected before the clock starts (one untimed request each): TLS
  // handshakes on the schedule would delay the generator, not measure the server.
  await Promise.all(Array.from({ length: job.concurrency }, async (_, i) => {
    const uid = `connect-${job.id}-${i}`;
    const [before, after] = templates[0]!;
    const res = await post(agent, url, before + uid + after);
    const failure = checkAnswer(job.path, uid, res.status, res.body);
    if (failure) throw new Error(failure);
  }));
  const start = performance.now();
  const send = (i: number, due: number) => {
    const uid = `bench-${job.id}-${i}`;
    const [before, after] = templates[i % templates.length]!;
    return post(agent, url, before + uid + after).then((res) => {
      const failure = checkAnswer(job.path, uid, res.status, res.body);
      if (failure) throw new Error(failure);
      latencies.push(performance.now() - due);
    }).catch((e: unknown) => {
      failures++;
      firstFailure ??= (e as Error).message;
    });
  };
  // Sends everything due, then sleeps until the next due time; a late wake-up sends the backlog
  // at once (each still timed from its own due time).
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      const due = start + sent * interval;
      maxSendLagMs = Math.max(maxSendLagMs, now - due);
      inFlight.push(send(sent, due));
      sent++;
    }
    if (sent < total) await new Promise((r) => setTimeout(r, Math.max(0, start + sent * interval - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { id: job.id, latencies, failures, firstFailure, elapsedMs, sent, maxSendLagMs };
}

interface PushJob {
  readonly id: number;
  readonly kind: 'push-tags';
  readonly registryUrl: string;
  /** Repository paths (`/bench/app0`) and the signed digest each new tag points at. */
  readonly images: ReadonlyArray<{ readonly path: string; readonly digest: string }>;
  readonly tags: number;
}

/**
 * Points `tags` more tags (`fill-<n>`) of each repository at its signed manifest, with the plain
 * registry API. Runs in the child, so the server's RSS does not carry 10 000 uploads' buffers.
 */
async function pushTags(job: PushJob): Promise<void> {
  const accept = 'application/vnd.oci.image.manifest.v1+json';
  const manifests = await Promise.all(job.images.map(async (img) => {
    const res = await fetch(`${job.registryUrl}/v2${img.path}/manifests/${img.digest}`, { headers: { accept }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET manifest ${img.path}@${img.digest}: HTTP ${res.status}`);
    return { path: img.path, type: res.headers.get('content-type') ?? accept, bytes: new Uint8Array(await res.arrayBuffer()) };
  }));
  const jobs: Array<[number, number]> = [];
  for (let t = 0; t < job.tags; t++) for (let i = 0; i < manifests.length; i++) jobs.push([i, t]);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < jobs.length) {
      const [i, t] = jobs[next++]!;
      const m = manifests[i]!;
      const res = await fetch(`${job.registryUrl}/v2${m.path}/manifests/fill-${t}`, { method: 'PUT', headers: { 'content-type': m.type }, body: m.bytes, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 201) throw new Error(`PUT ${m.path}:fill-${t}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
  }));
}

function runWorker(): void {
  process.on('message', (job: LoadJob | PushJob) => {
    if ('kind' in job) {
      void pushTags(job).then(() => process.send?.({ id: job.id, error: null }), (e: Error) => process.send?.({ id: job.id, error: e.message }));
    } else {
      const run = job.rate !== undefined && job.seconds !== undefined ? runOpenLoop({ ...job, rate: job.rate, seconds: job.seconds }) : runLoad(job);
      void run.then((result) => process.send?.(result));
    }
  });
  // Ends with the parent: no stray load generator.
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- server side (parent)

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Samples this process's RSS every 100 ms; `peak()` since the last `reset()`. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  return {
    reset() { peak = process.memoryUsage().rss; },
    peak() { return Math.max(peak, process.memoryUsage().rss); },
    stop() { clearInterval(timer); },
  };
}

/** A full GC before a memory reading at rest (V8's gc(), exposed without a command-line flag). */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap used after a full GC, and RSS, at rest. */
async function atRest(): Promise<{ rss: number; heapUsed: number }> {
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

/**
 * The floor: an HTTPS server in this process (as Portcullis is) that only parses the
 * AdmissionReview and allows it — what any Node webhook pays before doing any work.
 */
async function startFloor(cert: string, key: string): Promise<Server & { url: string }> {
  const server = createServer({ cert, key, keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
      const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

async function registryRequests(portcullis: RunningPortcullis): Promise<number> {
  return (await portcullis.metrics.registryRequests.get()).values.reduce((n, v) => n + v.value, 0);
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      requests: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '10' },
      clients: { type: 'string', default: '64' }, tags: { type: 'string', default: '1000' },
      rate: { type: 'string' }, 'cpu-prof': { type: 'string' },
    },
  });
  const REQUESTS = Number(args.requests);
  const SECONDS = Number(args.seconds);
  const CLIENTS = Number(args.clients);
  const TAGS = Number(args.tags);
  const RATE = args.rate === undefined ? undefined : Number(args.rate);
  if (RATE !== undefined && !(RATE > 0)) throw new Error(`--rate must be a positive number of requests/s, not ${args.rate}`);
  const load0 = loadavg()[0]!;

  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-admission-'));
  let fixture: SignedImagesFixture | undefined;
  let portcullis: RunningPortcullis | undefined;
  let worker: ChildProcess | undefined;
  let floor: (Server & { url: string }) | undefined;
  const rss = rssSampler();
  try {
    process.stderr.write(`setting up ${IMAGES} signed images…\n`);
    fixture = await startSignedImagesFixture({ count: IMAGES });
    const certs = generateCertSet();
    await writeCertSet(join(work, 'certs'), certs);
    const configPath = join(work, 'portcullis.yaml');
    writeFileSync(configPath, stringify({
      server: { shutdownGraceMs: 1000 },
      tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
      registries: { insecure: [fixture.registry.host] },
      // Pods name images by tag (the fill phase needs distinct references): resolve them.
      validation: { requireDigest: false },
      // Long digest/referrer TTLs so nothing expires mid-run ("everything cached").
      cache: { type: 'memory', ttlSeconds: { digest: 3600, referrers: 3600, results: 3600 } },
      verifiers: [fixture.notationVerifier()],
    }));
    portcullis = await startPortcullis({
      configPath, kubeConfig: null,
      logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) }),
      listen: { port: 0, metricsPort: 0, host: '127.0.0.1' },
    });

    // Baseline: includes the TypeScript loader (swc) and everything loaded at start.
    const started = await atRest();
    const child = fork(import.meta.filename, ['--load-worker'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker = child;
    let jobId = 0;
    const pending = new Map<number, (r: LoadResult & { error?: string | null }) => void>();
    child.on('message', (r: LoadResult & { error?: string | null }) => { pending.get(r.id)?.(r); pending.delete(r.id); });
    const childExit = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`load generator exited (${code})`))));
    childExit.catch(() => undefined);
    const load = async (job: Omit<LoadJob, 'id' | 'url' | 'ca'> & { url?: string }, what: string): Promise<LoadResult & { sorted: number[] }> => {
      const id = ++jobId;
      const result = await Promise.race([
        new Promise<LoadResult>((resolve) => { pending.set(id, resolve); child.send({ url: portcullis!.url, ...job, id, ca: certs.ca.certPem }); }),
        childExit,
      ]);
      if (result.failures > 0) throw new Error(`${what}: ${result.failures} failed requests, first: ${result.firstFailure}`);
      return { ...result, sorted: [...result.latencies].sort((a, b) => a - b) };
    };

    const pod = fixture.images.map((i) => i.ref);
    const coldStart = performance.now();
    await load({ path: '/validate', concurrency: 1, requests: 1, pods: [pod] }, 'cold request');
    const coldMs = performance.now() - coldStart;
    const coldRequests = await registryRequests(portcullis);
    process.stderr.write('warming up…\n');
    await load({ path: '/validate', concurrency: 8, requests: 400, pods: [pod] }, 'warm-up');
    await load({ path: '/mutate', concurrency: 8, requests: 400, pods: [pod] }, 'warm-up');

    // --cpu-prof FILE: a CPU profile of the measured Portcullis phases (not set-up or warm-up).
    const profiler = args['cpu-prof'] ? new Session() : undefined;
    if (profiler) { profiler.connect(); await profiler.post('Profiler.enable'); await profiler.post('Profiler.start'); }
    const stopProfiler = async () => {
      if (!profiler) return;
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(args['cpu-prof']!, JSON.stringify(profile));
      profiler.disconnect();
    };

    if (RATE !== undefined) {
      // Open loop (issue 15 "p99 ≤ 5 ms at a fixed 1,000 req/s"): Portcullis, then the floor, on
      // the same schedule from the same load generator; then stop (no closed-loop phases).
      const openLoop = async (target: { url: string }, what: string) => {
        process.stderr.write(`open loop ${what}: ${RATE} req/s × ${SECONDS} s…\n`);
        const c0 = process.cpuUsage();
        const id = ++jobId;
        const r = await Promise.race([
          new Promise<LoadResult>((resolve) => {
            pending.set(id, resolve);
            child.send({ id, url: target.url, ca: certs.ca.certPem, path: '/validate', concurrency: OPEN_LOOP_SOCKETS, rate: RATE, seconds: SECONDS, pods: [pod] } satisfies LoadJob);
          }),
          childExit,
        ]);
        const c = process.cpuUsage(c0);
        if (r.failures > 0) throw new Error(`open loop ${what}: ${r.failures} failed requests, first: ${r.firstFailure}`);
        const sorted = [...r.latencies].sort((a, b) => a - b);
        const f = (p: number) => percentile(sorted, p).toFixed(2);
        return {
          latency: `${f(50)} / ${f(99)} / ${f(99.9)} / ${sorted.at(-1)!.toFixed(2)}`,
          achieved: `${(r.latencies.length / (r.elapsedMs / 1000)).toFixed(0)} (${r.latencies.length} of ${r.sent} sent)`,
          lag: (r.maxSendLagMs ?? 0).toFixed(2),
          cpu: ((c.user + c.system) / 1000 / r.latencies.length).toFixed(3),
        };
      };
      const before = await registryRequests(portcullis);
      rss.reset();
      const p = await openLoop(portcullis, 'Portcullis');
      await stopProfiler();
      const peak = rss.peak();
      const warmRequests = (await registryRequests(portcullis)) - before;
      floor = await startFloor(certs.server.certPem, certs.server.keyPem);
      await load({ path: '/validate', concurrency: 8, requests: 400, pods: [pod], url: floor.url }, 'floor warm-up');
      const fl = await openLoop(floor, 'floor');
      const rows: Array<[string, string, string]> = [
        ['figure', 'Portcullis', 'floor (Node HTTPS, parses only)'],
        [`/validate open loop ${RATE} req/s × ${SECONDS} s: p50 / p99 / p99.9 / max (ms, from due time)`, p.latency, fl.latency],
        ['achieved rate (completed req/s)', p.achieved, fl.achieved],
        ['generator: most a request was sent after its due time (ms)', p.lag, fl.lag],
        ['server CPU per request (ms, this process)', p.cpu, fl.cpu],
        ['registry requests during the run (target 0)', String(warmRequests), '—'],
        ['peak RSS during the run (MiB)', mib(peak), '—'],
      ];
      const w0 = Math.max(...rows.map((r) => r[0].length));
      const w1 = Math.max(...rows.map((r) => r[1].length));
      process.stdout.write(`machine: ${availableParallelism()} cores, load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (shared machine)\n`);
      process.stdout.write(`cold first request: ${coldMs.toFixed(1)} ms, ${coldRequests} registry requests; sockets at most ${OPEN_LOOP_SOCKETS}\n`);
      for (const [k, a, b] of rows) process.stdout.write(`${k.padEnd(w0)}  ${a.padEnd(w1)}  ${b}\n`);
      return;
    }

    const rows: Array<[string, string]> = [];
    const before = await registryRequests(portcullis);
    rss.reset();
    for (const concurrency of [1, 8]) {
      process.stderr.write(`latency, concurrency ${concurrency}…\n`);
      const r = await load({ path: '/validate', concurrency, requests: REQUESTS, pods: [pod] }, `latency c=${concurrency}`);
      const f = (p: number) => percentile(r.sorted, p).toFixed(2);
      rows.push([`/validate latency c=${concurrency}, n=${REQUESTS}: p50/p90/p99/max (ms)`, `${f(50)} / ${f(90)} / ${f(99)} / ${r.sorted.at(-1)!.toFixed(2)}`]);
      rows.push([`/validate c=${concurrency} throughput (req/s)`, (r.latencies.length / (r.elapsedMs / 1000)).toFixed(0)]);
    }
    const latencyPeak = rss.peak();
    rss.reset();
    for (const path of ['/validate', '/mutate'] as const) {
      process.stderr.write(`saturation ${path}, ${CLIENTS} clients × ${SECONDS} s…\n`);
      const r = await load({ path, concurrency: CLIENTS, seconds: SECONDS, pods: [pod] }, `saturation ${path}`);
      rows.push([`${path} saturation, ${CLIENTS} clients: req/s (n=${r.latencies.length})`, (r.latencies.length / (r.elapsedMs / 1000)).toFixed(0)]);
      rows.push([`${path} saturation p50 / p99 (ms)`, `${percentile(r.sorted, 50).toFixed(2)} / ${percentile(r.sorted, 99).toFixed(2)}`]);
    }
    const saturationPeak = rss.peak();
    await stopProfiler();
    const warmRequests = (await registryRequests(portcullis)) - before;

    process.stderr.write(`filling the cache: pushing ${TAGS} × ${IMAGES} tags…\n`);
    const pushStart = performance.now();
    const pushId = ++jobId;
    const pushed = await Promise.race([
      new Promise<{ error?: string | null }>((resolve) => {
        pending.set(pushId, resolve);
        const images = fixture!.images.map((img) => ({ path: img.repository.slice(fixture!.registry.host.length), digest: img.digest }));
        child.send({ id: pushId, kind: 'push-tags', registryUrl: fixture!.registry.url, images, tags: TAGS } satisfies PushJob);
      }),
      childExit,
    ]);
    if (pushed.error) throw new Error(`pushing tags: ${pushed.error}`);
    // One Pod per tag number: 10 containers, one per repository, all distinct references.
    const fillPods = Array.from({ length: TAGS }, (_, t) => fixture!.images.map((img) => `${img.repository}:fill-${t}`));
    const pushMs = performance.now() - pushStart;
    const beforeFill = await atRest();
    rss.reset();
    const fillBefore = await registryRequests(portcullis);
    const fillStart = performance.now();
    await load({ path: '/validate', concurrency: 8, requests: fillPods.length, pods: fillPods }, 'cache fill');
    const fillMs = performance.now() - fillStart;
    const fillRequests = (await registryRequests(portcullis)) - fillBefore;
    const fillPeak = rss.peak();
    const afterFill = await atRest();
    const again = await load({ path: '/validate', concurrency: 8, requests: Math.min(200, fillPods.length), pods: fillPods.slice(-200) }, 'after fill');

    const head: Array<[string, string]> = [
      ['machine', `${availableParallelism()} cores, load average ${load0.toFixed(2)} at start (shared machine)`],
      ['server / load generator', 'server in this process (one Node thread); load generator a child Node process on the same cores'],
      ['Pod', `${IMAGES} containers, ${IMAGES} distinct images each signed once (notation), default policy`],
      ['RSS / heap used after GC, started, no request yet (MiB)', `${mib(started.rss)} / ${mib(started.heapUsed)} (includes the swc TypeScript loader)`],
      ['cold first request (ms)', coldMs.toFixed(1)],
      ['registry requests, cold first request', String(coldRequests)],
    ];
    const tail: Array<[string, string]> = [
      ['registry requests during warm phases (target 0)', String(warmRequests)],
      ['peak RSS during latency runs (MiB)', mib(latencyPeak)],
      ['peak RSS during saturation runs (MiB)', mib(saturationPeak)],
      [`pushing ${TAGS * IMAGES} tags to olareg (ms, set-up only)`, pushMs.toFixed(0)],
      [`cache fill: ${fillPods.length} Pods × ${IMAGES} new tags (ms)`, `${fillMs.toFixed(0)} (${(fillPods.length / (fillMs / 1000)).toFixed(0)} req/s)`],
      ['registry requests during fill (≈ one resolve per tag)', String(fillRequests)],
      ['"full cache"', `${TAGS * IMAGES} distinct tag→digest entries + the warm set; memory LRU bound 10 000 entries`],
      ['peak RSS during fill (MiB)', mib(fillPeak)],
      ['RSS / heap used after GC, warm set only, at rest (MiB)', `${mib(beforeFill.rss)} / ${mib(beforeFill.heapUsed)}`],
      ['RSS / heap used after GC, full cache, at rest (MiB)', `${mib(afterFill.rss)} / ${mib(afterFill.heapUsed)}`],
      ['heap per added cache entry (bytes)', ((afterFill.heapUsed - beforeFill.heapUsed) / (TAGS * IMAGES)).toFixed(0)],
      ['re-validating the last 200 fill Pods: p99 (ms), registry requests', `${percentile(again.sorted, 99).toFixed(2)}, ${(await registryRequests(portcullis)) - fillBefore - fillRequests}`],
      ['peak RSS of the whole run (MiB, getrusage)', mib(process.resourceUsage().maxRSS * 1024)],
    ];
    const all = [...head, ...rows, ...tail];
    const w = Math.max(...all.map((r) => r[0].length));
    for (const [k, v] of all) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  } finally {
    rss.stop();
    floor?.close();
    worker?.disconnect();
    worker?.kill();
    await portcullis?.close();
    await fixture?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--load-worker')) runWorker();
else await main();
