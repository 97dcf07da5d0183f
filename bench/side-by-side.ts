/**
 * Portcullis and Ratify side by side (issue 15; a benchmark, not a test: it prints figures and
 * asserts nothing about speed, only that every verdict is right).
 *
 * Both servers run as separate processes on the same registries (olareg: OCI 1.1 referrers API;
 * distribution: tag schema), the same images with 5 Notation signatures each (real notation
 * CLI), each registry behind its own proxy that delays every request by the injected round-trip
 * time (default 20 ms) and counts requests and the most in flight. Portcullis answers
 * AdmissionReviews over HTTPS (the compiled CLI, `dist/`); Ratify v1.4.x (built from the Go
 * module proxy by bench/tools/build-ratify.sh, benchmark-only) answers Gatekeeper external-data
 * ProviderRequests over plain HTTP, one request per Pod with every image as a key, as Gatekeeper
 * sends them. A trivial Node HTTPS server that only parses the AdmissionReview is the floor.
 *
 * Per system and registry:
 *  - cold: a fresh process per run (empty caches), one priming request for an unrelated signed
 *    image (so process start-up and first-use JIT are not counted), then one request naming
 *    10 (or 100) signed images, digest-pinned: time, registry requests, most in flight, server
 *    CPU (utime + stime from /proc). Median of --runs runs;
 *  - verdicts: the 10 signed images allowed, an unsigned image denied;
 *  - warm: after a 2 s warm-up on the same connections (TLS handshakes, JIT), the 10-image Pod
 *    on --connections keep-alive connections for --seconds: req/s,
 *    server CPU per request, registry requests during the phase;
 *  - RSS at ready (before any request) and peak (VmHWM over the process's life).
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/side-by-side.ts \
 *     [--rtt MS] [--runs N] [--seconds S] [--connections C] [--registries olareg,distribution]
 *     [--big N (default 100)] [--no-ratify] [--no-build]
 */
import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../src/certs/index.js';
import { startFaultProxy, type FaultProxy } from '../test/helpers/fault-proxy.js';
import { createNotationCli, type NotationCli } from '../test/helpers/notation-cli.js';
import { pushImage } from '../test/helpers/push-image.js';
import { freePort, startRegistry, type RegistryKind, type RunningRegistry } from '../test/helpers/registry-server.js';
import { NOTARY_SIGNATURE, notationVerifierEntry } from '../test/helpers/signed-images-fixture.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const SIGNATURES = 5;
const SMALL = 10;
const UID_SLOT = 'bench-uid-slot';
const WARMUP_SECONDS = 2;
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s.

type SystemName = 'portcullis' | 'ratify' | 'floor';

// ---------------------------------------------------------------- request bodies and checks

/** The request a system gets for a Pod naming `images`, split around its uid slot. */
function requestTemplate(system: SystemName, images: readonly string[]): [string, string] {
  const text = system === 'ratify'
    // https://open-policy-agent.github.io/gatekeeper/website/docs/externaldata (ProviderRequest)
    ? JSON.stringify({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest', request: { keys: images } })
    : JSON.stringify({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: UID_SLOT, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
        name: 'bench', namespace: 'default', operation: 'CREATE',
        userInfo: { username: 'bench@example.com', groups: ['system:authenticated'] },
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench', namespace: 'default' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
        oldObject: null, dryRun: false,
      },
    });
  const parts = text.split(JSON.stringify(UID_SLOT));
  return parts.length === 2 ? [`${parts[0]!}"`, `"${parts[1]!}`] : [text, ''];
}

/** Null when the answer is the verdict `allowed` for every image; else what is wrong. */
function checkVerdict(system: SystemName, status: number, body: string, uid: string, images: readonly string[], allowed: boolean): string | null {
  if (status !== 200) return `HTTP ${status}: ${body.slice(0, 300)}`;
  if (system === 'ratify') {
    const r = JSON.parse(body) as { response?: { systemError?: string; items?: Array<{ key: string; error?: string; value?: { isSuccess?: boolean } }> } };
    if (r.response?.systemError) return `system error: ${r.response.systemError}`;
    const items = r.response?.items ?? [];
    if (items.length !== images.length) return `${items.length} items for ${images.length} keys: ${body.slice(0, 300)}`;
    const wrong = items.find((i) => (i.value?.isSuccess === true) !== allowed || (allowed && i.error));
    return wrong ? `${wrong.key}: isSuccess ${String(wrong.value?.isSuccess)} ${wrong.error ?? ''} ${JSON.stringify(wrong.value ?? null)}`.slice(0, 3000) : null;
  }
  const r = (JSON.parse(body) as { response?: { uid?: string; allowed?: boolean; status?: { message?: string } } }).response;
  if (r?.uid !== uid) return `wrong uid: ${body.slice(0, 300)}`;
  if (r.allowed !== allowed) return `allowed ${String(r.allowed)}, expected ${String(allowed)}: ${r.status?.message ?? ''}`.slice(0, 400);
  return null;
}

interface Target { readonly system: SystemName; readonly url: string; readonly ca: string }

function post(agent: HttpAgent, url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      r.on('error', rej);
    });
    req.setTimeout(120_000, () => req.destroy(new Error('client timeout (120 s)')));
    req.on('error', rej);
    req.end(body);
  });
}

function agentFor(target: Target, sockets: number): HttpAgent {
  return target.url.startsWith('https:')
    ? new HttpsAgent({ keepAlive: true, maxSockets: sockets, ca: target.ca })
    : new HttpAgent({ keepAlive: true, maxSockets: sockets });
}

function pathOf(system: SystemName): string {
  return system === 'ratify' ? '/ratify/gatekeeper/v1/verify' : '/validate?timeout=30s';
}

let uidCounter = 0;
/** One request, verdict checked; returns the wall time in ms. */
async function once(target: Target, images: readonly string[], allowed: boolean): Promise<number> {
  const agent = agentFor(target, 1);
  try {
    const uid = `once-${++uidCounter}`;
    const [before, after] = requestTemplate(target.system, images);
    const t = performance.now();
    const res = await post(agent, new URL(target.url + pathOf(target.system)), before + (after ? uid + after : ''));
    const ms = performance.now() - t;
    const wrong = checkVerdict(target.system, res.status, res.body, uid, images, allowed);
    if (wrong) throw new Error(`${target.system}: ${wrong}`);
    return ms;
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------- load generator (child process)

interface LoadJob { readonly target: Target; readonly images: readonly string[]; readonly connections: number; readonly seconds: number }
interface LoadResult { readonly ok: number; readonly failures: number; readonly firstFailure: string | null; readonly elapsedMs: number }

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = agentFor(job.target, job.connections);
  const url = new URL(job.target.url + pathOf(job.target.system));
  const [before, after] = requestTemplate(job.target.system, job.images);
  let ok = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let n = 0;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  await Promise.all(Array.from({ length: job.connections }, async () => {
    while (performance.now() < end) {
      const uid = `load-${++n}`;
      try {
        const res = await post(agent, url, before + (after ? uid + after : ''));
        const wrong = checkVerdict(job.target.system, res.status, res.body, uid, job.images, true);
        if (wrong) throw new Error(wrong);
        ok++;
      } catch (e) {
        failures++;
        firstFailure ??= (e as Error).message;
      }
    }
  }));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  return { ok, failures, firstFailure, elapsedMs };
}

function runWorker(): void {
  process.on('message', (job: LoadJob) => { void runLoad(job).then((r) => process.send?.(r)); });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------- processes and /proc

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields 14 and 15 of stat (utime, stime); [0] here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

interface Server {
  readonly system: SystemName;
  readonly target: Target;
  readonly pid: number;
  /** The end of its log (for a failure message). */
  logTail(): string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 5000); })]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; }
}

/** Spawns `cmd`, then polls `ready` until it answers or 60 s pass. */
async function startServer(system: SystemName, target: Target, logBase: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: () => Promise<boolean>): Promise<Server> {
  // Logs to a file, not a pipe: neither server pays for a reader, and a failure shows the tail.
  const log = `${logBase}.log`;
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const tail = () => readFileSync(log, 'utf8').slice(-3000);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${system} exited (${child.exitCode}): ${tail()}`);
    if (await ready().catch(() => false)) break;
    if (Date.now() > deadline) { await stopChild(child); throw new Error(`${system} not ready in 60 s: ${tail()}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { system, target, pid: child.pid!, logTail: tail, stop: () => stopChild(child) };
}

// ---------------------------------------------------------------- fixture

interface RegistrySet {
  readonly kind: RegistryKind;
  readonly registry: RunningRegistry;
  readonly proxy: FaultProxy;
  /** Digest-pinned references through the proxy. */
  readonly signed: readonly string[];
  readonly unsigned: string;
  readonly prime: string;
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await fn(items[next++]!); }));
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/**
 * notation v1.3.2 stores its signatures on olareg v0.1.2 under the referrers tag schema
 * (`sha256-<hex>` index) while olareg's referrers API answers an empty list for them; a client
 * that trusts a 200 from the API (oras-go, so Ratify) then sees no signature, one that also
 * reads the tag schema (Portcullis) sees them all. Pushing each signature manifest again makes
 * olareg index its subject, so both systems find the same `expected` signatures both ways.
 */
async function indexReferrers(registry: RunningRegistry, repo: string, digest: string, expected: number): Promise<void> {
  const base = `${registry.url}/v2/${repo}`;
  const get = async (url: string, accept: string) => {
    const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`set-up: GET ${url}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const listed = (bytes: Uint8Array) => (JSON.parse(Buffer.from(bytes).toString('utf8')) as { manifests?: Array<{ digest: string }> | null }).manifests ?? [];
  if (registry.kind === 'olareg') {
    for (const m of listed(await get(`${base}/manifests/sha256-${digest.slice('sha256:'.length)}`, OCI_INDEX))) {
      const body = await get(`${base}/manifests/${m.digest}`, OCI_MANIFEST);
      const res = await fetch(`${base}/manifests/${m.digest}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body, signal: AbortSignal.timeout(10_000) });
      if (res.status !== 201) throw new Error(`set-up: PUT ${m.digest}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const n = listed(await get(`${base}/referrers/${digest}`, OCI_INDEX)).length;
    if (n !== expected) throw new Error(`set-up: olareg lists ${n} referrers of ${repo}@${digest}, expected ${expected}`);
  }
}

async function setUpRegistry(kind: RegistryKind, notation: NotationCli, rtt: number): Promise<RegistrySet> {
  const registry = await startRegistry(kind);
  const proxy = await startFaultProxy(registry.host);
  const ref = (name: string, digest: string) => `${proxy.host}/bench/${name}@${digest}`;
  const signedOne = async (name: string, content: string, signatures: number): Promise<string> => {
    const pushed = await pushImage(`${registry.host}/bench/${name}:1`, { content });
    for (let s = 0; s < signatures; s++) await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/bench/${name}@${pushed.digest}`]);
    if (signatures > 0) await indexReferrers(registry, `bench/${name}`, pushed.digest, signatures);
    return ref(name, pushed.digest);
  };
  const signed: string[] = new Array<string>(BIG);
  // A little parallelism across images (notation only reads its config while signing).
  await pool(Array.from({ length: BIG }, (_, i) => i), 3, async (i) => {
    signed[i] = await signedOne(`app${i}`, `side-by-side image ${i}`, SIGNATURES);
  });
  const unsigned = await signedOne('unsigned', 'side-by-side unsigned image', 0);
  const prime = await signedOne('prime', 'side-by-side priming image', 1);
  proxy.setFault(() => ({ delayMs: rtt }));
  return { kind, registry, proxy, signed, unsigned, prime };
}

// ---------------------------------------------------------------- the systems

interface Env {
  readonly work: string;
  readonly notation: NotationCli;
  readonly ca: string;
  readonly insecure: readonly string[];
  readonly ratifyBin: string | null;
}

async function startPortcullisServer(env: Env, run: string): Promise<Server> {
  const dir = join(env.work, run);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const metricsPort = await freePort();
  const config = join(dir, 'portcullis.yaml');
  writeFileSync(config, stringify({
    server: { host: '127.0.0.1', port, metricsPort, shutdownGraceMs: 1000 },
    tls: { certFile: join(env.work, 'certs', 'tls.crt'), keyFile: join(env.work, 'certs', 'tls.key') },
    registries: { insecure: env.insecure },
    // The big cold phase sends one Pod naming BIG images; the shipped cap (64, issue 14) would deny it.
    admission: { maxImagesPerObject: Math.min(1024, Math.max(64, BIG + 2)) },
    cache: { type: 'memory', ttlSeconds: { digest: 3600, referrers: 3600, results: 3600 } },
    verifiers: [notationVerifierEntry(env.notation)],
  }));
  const target: Target = { system: 'portcullis', url: `https://127.0.0.1:${port}`, ca: env.ca };
  return startServer('portcullis', target, join(dir, 'portcullis'), process.execPath, [join(ROOT, 'bin', 'portcullis.js'), 'serve', '--config', config],
    // No kubeconfig: namespace labels and pull secrets stay off, as in the other benchmarks.
    { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: join(dir, 'no-kubeconfig') },
    async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200);
}

async function startRatifyServer(env: Env, run: string): Promise<Server> {
  const dir = join(env.work, run);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  copyFileSync(join(env.notation.configDir, 'localkeys', 'release.crt'), join(dir, 'certs', 'release.crt'));
  const port = await freePort();
  const config = join(dir, 'config.json');
  // Ratify's config.json (https://ratify.dev/docs/reference/config): oras store over plain HTTP
  // with its blob cache in this run's directory (empty: cold), the notation verifier trusting
  // the same key under the same strict trust policy, and every signature required ("all").
  writeFileSync(config, JSON.stringify({
    executor: { verificationRequestTimeout: 60_000 },
    store: { version: '1.0.0', plugins: [{ name: 'oras', useHttp: true, localCachePath: join(dir, 'oras-cache') }] },
    policy: { version: '1.0.0', plugin: { name: 'configPolicy', artifactVerificationPolicies: { [NOTARY_SIGNATURE]: 'all' } } },
    verifier: {
      version: '1.0.0',
      plugins: [{
        name: 'notation', artifactTypes: NOTARY_SIGNATURE, verificationCerts: [join(dir, 'certs')],
        trustPolicyDoc: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:certs'], trustedIdentities: ['*'] }] },
      }],
    },
  }, null, 2));
  const target: Target = { system: 'ratify', url: `http://127.0.0.1:${port}`, ca: '' };
  return startServer('ratify', target, join(dir, 'ratify'), env.ratifyBin!, ['serve', '--http', `127.0.0.1:${port}`, '--config', config, '--cache-enabled', '--cache-ttl', '1h'],
    { PATH: process.env.PATH ?? '', HOME: dir },
    async () => (await fetch(`${target.url}/ratify/gatekeeper/v1/verify`, { method: 'POST', body: '{"request":{"keys":[]}}' })).status === 200);
}

/** The floor: a Node HTTPS server that parses the AdmissionReview and allows it. */
async function startFloorServer(env: Env): Promise<Server> {
  const port = await freePort();
  const script = `
    const { createServer } = require('node:https');
    const { readFileSync } = require('node:fs');
    createServer({ cert: readFileSync(process.argv[1]), key: readFileSync(process.argv[2]), keepAliveTimeout: 30000 }, (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    }).listen(${port}, '127.0.0.1');`;
  const target: Target = { system: 'floor', url: `https://127.0.0.1:${port}`, ca: env.ca };
  const agent = agentFor(target, 1);
  try {
    return await startServer('floor', target, join(env.work, 'floor'), process.execPath, ['-e', script, join(env.work, 'certs', 'tls.crt'), join(env.work, 'certs', 'tls.key')], { PATH: process.env.PATH ?? '' },
      async () => (await post(agent, new URL(target.url + '/'), JSON.stringify({ request: { uid: 'ready' } }))).status === 200);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------- phases

interface Cold { readonly ms: number; readonly requests: number; readonly maxInFlight: number; readonly cpuMs: number }
interface Figures {
  readonly cold10: Cold; readonly cold100: Cold;
  readonly warmRps: number; readonly warmCpuMs: number; readonly warmRequests: number;
  readonly rssReadyMiB: number; readonly rssPeakMiB: number;
}

function median<T>(xs: readonly T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
}

/** Fresh process, priming request, then one request for `images`: figures of that request. */
async function coldRun(server: Server, set: RegistrySet, images: readonly string[]): Promise<Cold> {
  await once(server.target, [set.prime], true);
  set.proxy.reset();
  set.proxy.setFault(() => ({ delayMs: rttMs }));
  const cpu0 = cpuMs(server.pid);
  const ms = await once(server.target, images, true);
  // The CPU of the request's tail (response written after the client read it) is within a tick.
  await new Promise((r) => setTimeout(r, 50));
  return { ms, requests: set.proxy.count(), maxInFlight: set.proxy.maxInFlight, cpuMs: cpuMs(server.pid) - cpu0 };
}

async function measure(
  start: (run: string) => Promise<Server>, set: RegistrySet, load: (job: LoadJob) => Promise<LoadResult>, label: string,
): Promise<Figures> {
  let peakKiB = 0;
  let processes = 0;
  let readyKiB = 0;
  const colds = async (size: number, withWarm: boolean): Promise<Cold[]> => {
    const out: Cold[] = [];
    for (let r = 0; r < runs; r++) {
      // A directory per process (Ratify keeps its blob cache there): every run starts empty.
      const server = await start(`${label}-${size}-${r}-${++processes}`);
      try {
        readyKiB = statusKiB(server.pid, 'VmRSS');
        out.push(await coldRun(server, set, set.signed.slice(0, size)));
        if (withWarm && r === runs - 1) await warm(server);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- end of the ${server.system} log:\n${server.logTail()}`, { cause: e });
      } finally {
        peakKiB = Math.max(peakKiB, statusKiB(server.pid, 'VmHWM'));
        await server.stop();
      }
    }
    return out;
  };
  let warmFigures: { rps: number; cpuMs: number; requests: number } | undefined;
  // The last small cold run's process continues: verdicts, then the warm phase.
  const warm = async (server: Server): Promise<void> => {
    const pod = set.signed.slice(0, SMALL);
    await once(server.target, pod, true);
    await once(server.target, [set.unsigned], false);
    process.stderr.write(`  ${label}: verdicts right (10 signed allowed, unsigned denied); warm ${connections} connections × ${seconds} s…\n`);
    // Warm-up (not counted): the connections' TLS handshakes and the JIT of the warm path.
    await load({ target: server.target, images: pod, connections, seconds: WARMUP_SECONDS });
    set.proxy.reset();
    set.proxy.setFault(() => ({ delayMs: rttMs }));
    const cpu0 = cpuMs(server.pid);
    const r = await load({ target: server.target, images: pod, connections, seconds });
    if (r.failures > 0) throw new Error(`${label} warm: ${r.failures} failed, first: ${r.firstFailure}`);
    warmFigures = { rps: r.ok / (r.elapsedMs / 1000), cpuMs: (cpuMs(server.pid) - cpu0) / r.ok, requests: set.proxy.count() };
  };
  process.stderr.write(`  ${label}: cold ${SMALL} × ${SIGNATURES}, ${runs} runs…\n`);
  const c10 = await colds(SMALL, true);
  const ready = readyKiB;
  process.stderr.write(`  ${label}: cold ${BIG} × ${SIGNATURES}, ${runs} runs…\n`);
  const c100 = await colds(BIG, false);
  return {
    cold10: median(c10, (c) => c.ms), cold100: median(c100, (c) => c.ms),
    warmRps: warmFigures!.rps, warmCpuMs: warmFigures!.cpuMs, warmRequests: warmFigures!.requests,
    rssReadyMiB: ready / 1024, rssPeakMiB: peakKiB / 1024,
  };
}

// ---------------------------------------------------------------- main

const { values: args } = parseArgs({
  options: {
    rtt: { type: 'string', default: '20' }, runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' },
    registries: { type: 'string', default: 'olareg,distribution' }, big: { type: 'string', default: '100' },
    'no-ratify': { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false },
    'load-worker': { type: 'boolean', default: false },
  },
});
const rttMs = Number(args.rtt);
const runs = Number(args.runs);
const seconds = Number(args.seconds);
const connections = Number(args.connections);
/** The larger cold Pod (issue 15: 100 images); the smaller is always 10. */
const BIG = Math.max(SMALL, Number(args.big));

async function buildRatify(): Promise<{ bin: string | null; why: string }> {
  if (args['no-ratify']) return { bin: null, why: '--no-ratify' };
  try {
    const { stdout } = await exec('bash', [join(ROOT, 'bench', 'tools', 'build-ratify.sh')], { maxBuffer: 1 << 20, timeout: 3_600_000 });
    return { bin: stdout.trim(), why: '' };
  } catch (e) {
    const err = e as Error & { stderr?: string };
    return { bin: null, why: `bench/tools/build-ratify.sh failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-5).join(' | ')}` };
  }
}

async function main(): Promise<void> {
  const load0 = loadavg()[0]!;
  if (!args['no-build'] || !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('building Portcullis (npm run build)…\n');
    await exec('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 << 20 });
  }
  process.stderr.write('building or finding Ratify (bench/tools/build-ratify.sh)…\n');
  const ratify = await buildRatify();
  if (!ratify.bin) process.stderr.write(`Ratify missing: ${ratify.why}\n`);
  // build-ratify.sh caches by version: …/bench-tools/ratify-<version>/ratify.
  const ratifyVersion = /ratify-(v[^/]+)\/ratify$/.exec(ratify.bin ?? '')?.[1] ?? '';

  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-side-'));
  const notation = createNotationCli();
  const sets: RegistrySet[] = [];
  let worker: ChildProcess | undefined;
  let floor: Server | undefined;
  try {
    await notation.run(['cert', 'generate-test', 'release']);
    const certs = generateCertSet();
    await writeCertSet(join(work, 'certs'), certs);
    for (const kind of args.registries.split(',') as RegistryKind[]) {
      process.stderr.write(`setting up ${kind}: ${BIG} images × ${SIGNATURES} signatures, 1 unsigned…\n`);
      const t = performance.now();
      sets.push(await setUpRegistry(kind, notation, rttMs));
      process.stderr.write(`  ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
    }
    const env: Env = { work, notation, ca: certs.ca.certPem, insecure: sets.map((s) => s.proxy.host), ratifyBin: ratify.bin };

    const child = fork(import.meta.filename, ['--load-worker'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker = child;
    const load = (job: LoadJob) => new Promise<LoadResult>((res) => { child.once('message', (r: LoadResult) => res(r)); child.send(job); });

    floor = await startFloorServer(env);
    await load({ target: floor.target, images: sets[0]!.signed.slice(0, SMALL), connections, seconds: WARMUP_SECONDS });
    const floorCpu0 = cpuMs(floor.pid);
    const floorRun = await load({ target: floor.target, images: sets[0]!.signed.slice(0, SMALL), connections, seconds });
    if (floorRun.failures > 0) throw new Error(`floor: ${floorRun.firstFailure}`);
    const floorRps = floorRun.ok / (floorRun.elapsedMs / 1000);
    const floorCpu = (cpuMs(floor.pid) - floorCpu0) / floorRun.ok;
    await floor.stop();

    const results: Array<{ kind: RegistryKind; p: Figures; r: Figures | null; rWhy: string }> = [];
    for (const set of sets) {
      process.stderr.write(`${set.kind}: Portcullis…\n`);
      const p = await measure((run) => startPortcullisServer(env, run), set, load, `portcullis/${set.kind}`);
      let r: Figures | null = null;
      let rWhy = ratify.why;
      if (ratify.bin) {
        process.stderr.write(`${set.kind}: Ratify…\n`);
        try {
          r = await measure((run) => startRatifyServer(env, run), set, load, `ratify/${set.kind}`);
        } catch (e) {
          rWhy = `Ratify failed on ${set.kind}: ${(e as Error).message.slice(0, 6000)}`;
          process.stderr.write(`${rWhy}\n`);
        }
      }
      results.push({ kind: set.kind, p, r, rWhy });
    }

    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`machine: ${availableParallelism()} cores, load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (shared machine: figures are noisy)`);
    out(`set-up: ${SIGNATURES} Notation signatures per image, ${rttMs} ms injected per registry request, cold = median of ${runs} fresh processes, warm = ${connections} connections × ${seconds} s`);
    out(`floor (Node HTTPS, parses the AdmissionReview only): ${floorRps.toFixed(0)} req/s, ${floorCpu.toFixed(3)} ms CPU per request`);
    for (const { kind, p, r, rWhy } of results) {
      out('');
      out(`### ${kind}`);
      out('');
      out(`| figure | Portcullis | Ratify ${r ? ratifyVersion : '(missing)'} | Ratify / Portcullis |`);
      out('|---|---|---|---|');
      const row = (name: string, f: (x: Figures) => number, digits = 0) => {
        const pv = f(p);
        const rv = r ? f(r) : NaN;
        out(`| ${name} | ${pv.toFixed(digits)} | ${r ? rv.toFixed(digits) : '—'} | ${r && pv !== 0 ? (rv / pv).toFixed(2) : '—'} |`);
      };
      row(`cold, ${SMALL} × ${SIGNATURES} (ms)`, (x) => x.cold10.ms);
      row(`cold, ${BIG} × ${SIGNATURES} (ms)`, (x) => x.cold100.ms);
      row(`registry requests, ${SMALL} × ${SIGNATURES}`, (x) => x.cold10.requests);
      row(`registry requests, ${BIG} × ${SIGNATURES}`, (x) => x.cold100.requests);
      row(`requests in flight at most, ${SMALL} × ${SIGNATURES}`, (x) => x.cold10.maxInFlight);
      row(`requests in flight at most, ${BIG} × ${SIGNATURES}`, (x) => x.cold100.maxInFlight);
      row(`server CPU, cold ${SMALL} × ${SIGNATURES} (ms)`, (x) => x.cold10.cpuMs);
      row(`warm, ${SMALL}-image Pod, ${connections} connections (req/s)`, (x) => x.warmRps);
      row('server CPU per warm request (ms)', (x) => x.warmCpuMs, 3);
      row('registry requests during warm phase', (x) => x.warmRequests);
      row('RSS at ready (MiB)', (x) => x.rssReadyMiB, 1);
      row('RSS peak (MiB)', (x) => x.rssPeakMiB, 1);
      out(`| warm req/s as share of the floor | ${((100 * p.warmRps) / floorRps).toFixed(1)}% | ${r ? `${((100 * r.warmRps) / floorRps).toFixed(1)}%` : '—'} | |`);
      if (!r) out(`\nRatify missing: ${rWhy}`);
    }
  } finally {
    worker?.disconnect();
    worker?.kill();
    await floor?.stop();
    for (const s of sets) { await s.proxy.stop(); await s.registry.stop(); }
    notation.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

if (args['load-worker']) runWorker();
else await main();
