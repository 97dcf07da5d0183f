/**
 * Cold-path benchmark of the validation pipeline (SPEC "Performance"; a benchmark, not a test).
 *
 * 10 images × 5 Notation signatures each (real notation CLI) in a real registry (olareg),
 * reached through a proxy that delays every request by the injected round-trip time (default
 * 20 ms). Each run starts with an empty cache and a fresh client, and validates the 10 images
 * as one Pod would. Printed beside the lower bound: the dependent round trips the work needs
 * (resolve → list referrers → signature manifest → signature blob = 4) × RTT.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/validate-cold.ts [--rtt MS] [--runs N] [--images N]
 *     [--tags] [--cpu-prof FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AdmissionContext } from '../src/admission/ports.js';
import { createCachingRegistryClient } from '../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../src/cache/memory-cache.js';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/observability/logger.js';
import { createRegistryClient } from '../src/oci/registry-client.js';
import { buildValidationPipeline } from '../src/validation/build-validation-pipeline.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { createNotationCli } from '../test/helpers/notation-cli.js';
import { pushImage } from '../test/helpers/push-image.js';
import { startRegistry } from '../test/helpers/registry-server.js';

const { values: args } = parseArgs({
  options: {
    rtt: { type: 'string', default: '20' }, runs: { type: 'string', default: '7' }, images: { type: 'string', default: '10' },
    tags: { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' },
  },
});
const RTT = Number(args.rtt);
const RUNS = Number(args.runs);
const IMAGES = Number(args.images);
const SIGNATURES = 5;
/** Digest-pinned (the default, as the mutating webhook leaves them): the subject's HEAD runs beside the listing. */
const PINNED = !args.tags;
const DEPENDENT_ROUND_TRIPS = PINNED ? 3 : 4;

/** What a proxied request was for, from its method and path (distribution-spec routes). */
function operationOf(method: string, path: string): string {
  if (path.includes('/referrers/')) return 'referrers API';
  if (/\/manifests\/sha256-[0-9a-f]+\.(sig|att)$/.test(path)) return 'cosign tags';
  if (/\/manifests\/sha256-[0-9a-f]+$/.test(path)) return 'referrers tag schema';
  if (path.includes('/blobs/')) return 'blobs';
  if (path.includes('/manifests/')) return `${method} manifests`;
  return `${method} other`;
}

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(10_000), deadline: Date.now() + 10_000,
    request: { uid: 'bench', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'bench', userInfo: { username: 'bench', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-cold-'));
const registry = await startRegistry('olareg');
const proxy = await startFaultProxy(registry.host);
const notation = createNotationCli();
try {
  process.stderr.write(`setting up ${IMAGES} images × ${SIGNATURES} signatures…\n`);
  await notation.run(['cert', 'generate-test', 'release']);
  const images: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const d = await pushImage(`${registry.host}/bench/app${i}:1`, { content: `image ${i}` });
    for (let s = 0; s < SIGNATURES; s++) {
      await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/bench/app${i}@${d.digest}`]);
    }
    images.push(PINNED ? `${proxy.host}/bench/app${i}@${d.digest}` : `${proxy.host}/bench/app${i}:1`);
  }
  const config = parseConfig({
    registries: { insecure: [proxy.host] },
    // With --tags, images named by tag: the figures include resolving them (validation.requireDigest off).
    validation: { requireDigest: PINNED },
    verifiers: [{
      name: 'release-signatures', type: 'notation', watch: false,
      trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
    }],
  }, { baseDir: work, file: null });

  proxy.setFault(() => ({ delayMs: RTT }));
  // --cpu-prof FILE: a CPU profile of the runs only (not the set-up), for chrome://inspect or speedscope.
  const profiler = args['cpu-prof'] ? new Session() : undefined;
  if (profiler) { profiler.connect(); await profiler.post('Profiler.enable'); await profiler.post('Profiler.start'); }
  const latencies: number[] = [];
  let coldRequests = 0;
  let warmRequests = 0;
  let maxInFlight = 0;
  const cpu: number[] = [];
  let byOperation = new Map<string, number>();
  for (let run = 0; run < RUNS; run++) {
    const cache = createMemoryCache();
    // The client's defaults (config `registries.*`), as `portcullis serve` builds it.
    const client = createCachingRegistryClient(createRegistryClient({ insecure: [proxy.host] }), cache);
    const pipeline = await buildValidationPipeline(config, { client, cache, logger: silentLogger(), watchPolicy: false });
    proxy.reset();
    proxy.setFault(() => ({ delayMs: RTT }));
    const c0 = process.cpuUsage();
    const t = performance.now();
    const verdicts = await pipeline.validator.validateDetailed(images, ctx());
    latencies.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    byOperation = new Map();
    for (const r of proxy.requests) { const op = operationOf(r.method, r.path); byOperation.set(op, (byOperation.get(op) ?? 0) + 1); }
    if (!verdicts.every((v) => v.allowed && v.targets[0]!.input.results.length === SIGNATURES)) {
      throw new Error(`setup: unexpected verdicts ${JSON.stringify(verdicts.map((v) => [v.image, v.allowed, v.reasons]))}`);
    }
    coldRequests = proxy.count();
    maxInFlight = proxy.maxInFlight;
    await pipeline.validator.validate(images, ctx());
    warmRequests = proxy.count() - coldRequests;
    await pipeline.close();
    await client.close();
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(args['cpu-prof']!, JSON.stringify(profile));
    profiler.disconnect();
  }
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)]!;
  const bound = DEPENDENT_ROUND_TRIPS * RTT;
  const rows: Array<[string, string]> = [
    ['images × signatures', `${IMAGES} × ${SIGNATURES}${PINNED ? ', digest-pinned' : ', by tag'}`],
    ['injected round-trip time (ms)', String(RTT)],
    ['dependent round trips (lower bound)', `${DEPENDENT_ROUND_TRIPS} → ${bound} ms`],
    [`cold validation, median of ${RUNS} (ms)`, median.toFixed(1)],
    ['cold / lower bound', (median / bound).toFixed(2)],
    ['cold min / max (ms)', `${latencies[0]!.toFixed(1)} / ${latencies.at(-1)!.toFixed(1)}`],
    ['registry requests, cold', String(coldRequests)],
    ...[...byOperation].sort().map(([op, n]): [string, string] => [`  ${op}`, String(n)]),
    [`process CPU, cold, median (ms; includes the in-process proxy)`, [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!.toFixed(0)],
    ['registry requests, warm', String(warmRequests)],
    ['most requests in flight', String(maxInFlight)],
    ['peak RSS (MiB)', (process.resourceUsage().maxRSS / 1024).toFixed(1)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
} finally {
  notation.cleanup();
  await proxy.stop();
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
