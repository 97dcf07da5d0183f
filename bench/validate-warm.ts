/**
 * Warm-path benchmark of the validation pipeline (SPEC "Performance"; a benchmark, not a test).
 *
 * Sets up a real registry (olareg) with 10 images, each signed by the real notation CLI, and
 * the real pipeline: the registry client behind the caching decorator, the notation verifier,
 * and the default policy compiled to Wasm. After one cold validation has filled the cache, it
 * measures validating the 10-image list:
 *   - latency p50/p99 over sequential validations,
 *   - validations per second with 32 in flight,
 *   - registry requests per validation, cold and warm (the target is zero warm),
 *   - peak RSS.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/validate-warm.ts [--iterations N] [--seconds S]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AdmissionContext } from '../src/admission/ports.js';
import { createCachingRegistryClient } from '../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../src/cache/memory-cache.js';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { createRegistryClient } from '../src/oci/registry-client.js';
import { buildValidationPipeline } from '../src/validation/build-validation-pipeline.js';
import { createNotationCli } from '../test/helpers/notation-cli.js';
import { pushImage } from '../test/helpers/push-image.js';
import { startRegistry } from '../test/helpers/registry-server.js';

const { values: args } = parseArgs({ options: { iterations: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '5' } } });
const ITERATIONS = Number(args.iterations);
const SECONDS = Number(args.seconds);
const IMAGES = 10;

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(10_000), deadline: Date.now() + 10_000,
    request: { uid: 'bench', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'bench', userInfo: { username: 'bench', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function registryRequests(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  return (await metrics.registryRequests.get()).values.reduce((n, v) => n + v.value, 0);
}

const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
const registry = await startRegistry('olareg');
const notation = createNotationCli();
try {
  process.stderr.write(`setting up ${IMAGES} signed images on ${registry.host}…\n`);
  await notation.run(['cert', 'generate-test', 'release']);
  const images: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const d = await pushImage(`${registry.host}/bench/app${i}:1`, { content: `image ${i}` });
    await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/bench/app${i}@${d.digest}`]);
    images.push(`${registry.host}/bench/app${i}:1`);
  }
  const config = parseConfig({
    registries: { insecure: [registry.host] },
    // Images named by tag: the figures include resolving them (validation.requireDigest off).
    validation: { requireDigest: false },
    verifiers: [{
      name: 'release-signatures', type: 'notation', watch: false,
      trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
    }],
  }, { baseDir: work, file: null });
  const metrics = createMetrics(undefined, { defaults: false });
  const cache = createMemoryCache({ ttlSeconds: { digest: 3600, referrers: 3600, results: 3600, manifest: 3600 } });
  const inner = createRegistryClient({ insecure: [registry.host], metrics });
  const client = createCachingRegistryClient(inner, cache);
  const pipeline = await buildValidationPipeline(config, { client, cache, metrics, logger: silentLogger(), watchPolicy: false });

  const coldStart = performance.now();
  const cold = await pipeline.validator.validate(images, ctx());
  const coldMs = performance.now() - coldStart;
  if (!cold.every((v) => v.allowed)) throw new Error(`setup: not every image is allowed: ${JSON.stringify(cold)}`);
  const coldRequests = await registryRequests(metrics);

  for (let i = 0; i < 200; i++) await pipeline.validator.validate(images, ctx()); // JIT warm-up
  const before = await registryRequests(metrics);
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await pipeline.validator.validate(images, ctx());
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);

  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() < end) { await pipeline.validator.validate(images, ctx()); done++; }
  }));
  const warmRequests = (await registryRequests(metrics)) - before;

  const rows: Array<[string, string]> = [
    ['images per validation', String(IMAGES)],
    ['cold validation (ms)', coldMs.toFixed(1)],
    ['registry requests, cold', String(coldRequests)],
    [`warm p50 (ms, n=${ITERATIONS})`, percentile(samples, 50).toFixed(3)],
    ['warm p99 (ms)', percentile(samples, 99).toFixed(3)],
    [`warm validations/s (32 in flight, ${SECONDS}s)`, (done / SECONDS).toFixed(0)],
    ['registry requests, warm (all warm runs)', String(warmRequests)],
    ['peak RSS (MiB)', (process.resourceUsage().maxRSS / 1024).toFixed(1)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  await pipeline.close();
  await client.close();
} finally {
  notation.cleanup();
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
