/**
 * Memory with a full cache (issue 15: ≤ 150 MiB of RSS with 10,000 cached images). A
 * benchmark: it prints figures and fails only when the set-up or an answer is wrong.
 *
 * One image signed with the real notation CLI on olareg is validated once through the real
 * pipeline (notation verifier, default policy) over the default memory cache (shipped bounds:
 * `cache.maxBytes` 64 MiB, 1 MiB per entry, 100,000 entries; TTLs 1 h so nothing expires), and
 * every entry the validation writes is recorded (kind, key, value). The cache is then filled
 * with `--images` (default 10,000) more images: the same entries under another digest each,
 * values rebuilt from JSON so each image holds its own objects, as real entries do. Printed:
 * RSS and heap after a full GC before and after the fill, the cache's charged bytes
 * (`portcullis_cache_bytes`), entries and bytes per image, and how many of a sample of filled
 * images the pipeline answers from the cache alone (0 registry requests: the fill has the
 * real shape). The process also holds swc and the test helpers, so its baseline is above
 * the server's (bench/memory-startup.ts): the fill's delta is the figure to add to it.
 *
 *   node_modules/.bin/node --expose-gc --import ./bench/ts-hooks.mjs bench/memory-cache.ts [--images 10000]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { AdmissionContext } from '../src/admission/ports.js';
import { createCachingRegistryClient } from '../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../src/cache/memory-cache.js';
import type { Cache, CacheKind } from '../src/cache/types.js';
import { parseConfig } from '../src/config/index.js';
import { silentLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { createRegistryClient } from '../src/oci/registry-client.js';
import { buildValidationPipeline } from '../src/validation/build-validation-pipeline.js';
import { startSignedImagesFixture } from '../test/helpers/signed-images-fixture.js';

const MiB = 1024 * 1024;
const { values: args } = parseArgs({ options: { images: { type: 'string', default: '10000' }, sample: { type: 'string', default: '200' } } });
const IMAGES = Number(args.images);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(10_000), deadline: Date.now() + 10_000,
    request: { uid: 'bench', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'bench', userInfo: { username: 'bench', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

const settle = async () => { await new Promise((r) => setTimeout(r, 100)); gc(); gc(); return process.memoryUsage(); };
const requests = async (m: ReturnType<typeof createMetrics>) => (await m.registryRequests.get()).values.reduce((n, v) => n + v.value, 0);
const fakeDigest = (i: number) => `sha256:${createHash('sha256').update(`bench image ${i}`).digest('hex')}`;

const fixture = await startSignedImagesFixture({ count: 1, repositoryPrefix: 'bench/cache' });
try {
  const image = fixture.images[0]!;
  const config = parseConfig({ registries: { insecure: [fixture.registry.host] }, verifiers: [fixture.notationVerifier()] }, { baseDir: process.cwd(), file: null });
  const metrics = createMetrics(undefined, { defaults: false });
  const memory = createMemoryCache({ ttlSeconds: { digest: 3600, referrers: 3600, results: 3600, manifest: 3600 }, bytesGauge: metrics.cacheBytes });
  const recorded: Array<{ kind: CacheKind; key: string; json: string; ttl: number | undefined }> = [];
  let recording = true;
  const cache: Cache = {
    get: (kind, key) => memory.get(kind, key),
    set: (kind, key, value, ttl) => {
      if (recording) recorded.push({ kind, key, json: JSON.stringify(value), ttl });
      return memory.set(kind, key, value, ttl);
    },
    close: () => memory.close(),
  };
  const client = createCachingRegistryClient(createRegistryClient({ insecure: [fixture.registry.host], metrics }), cache);
  const pipeline = await buildValidationPipeline(config, { client, cache, metrics, logger: silentLogger(), watchPolicy: false });
  const pinned = (digest: string) => `${image.repository}@${digest}`;

  const first = await pipeline.validator.validate([pinned(image.digest)], ctx());
  if (!first.every((v) => v.allowed)) throw new Error(`setup: the signed image is not allowed: ${JSON.stringify(first)}`);
  recording = false;
  const perImage = recorded.filter((e) => e.key.includes(image.digest) || e.json.includes(image.digest));
  const before = await settle();
  const bytesBefore = memory.bytes();

  const started = performance.now();
  for (let i = 0; i < IMAGES; i++) {
    const d = fakeDigest(i);
    for (const e of perImage) await memory.set(e.kind, e.key.replaceAll(image.digest, d), JSON.parse(e.json.replaceAll(image.digest, d)), e.ttl);
  }
  const fillSeconds = (performance.now() - started) / 1000;
  const after = await settle();

  // A sample of filled images, newest first (what the LRU keeps longest): answered from the cache?
  const sample = Math.min(Number(args.sample), IMAGES);
  const r0 = await requests(metrics);
  let cached = 0;
  for (let i = IMAGES - 1; i >= IMAGES - sample; i--) {
    const before = await requests(metrics);
    const [v] = await pipeline.validator.validate([pinned(fakeDigest(i))], ctx());
    if (v?.allowed && (await requests(metrics)) === before) cached++;
  }
  const oldest = await pipeline.validator.validate([pinned(fakeDigest(0))], ctx());
  const rows: Array<[string, string]> = [
    ['cache entries one validated image writes', `${perImage.length} (${[...new Set(perImage.map((e) => e.kind))].join(', ')})`],
    ['images filled', String(IMAGES)],
    ['fill time (s)', fillSeconds.toFixed(1)],
    ['RSS before fill, after GC (MiB)', (before.rss / MiB).toFixed(1)],
    ['RSS after fill, after GC (MiB)', (after.rss / MiB).toFixed(1)],
    ['RSS added by the fill (MiB)', (( after.rss - before.rss) / MiB).toFixed(1)],
    ['heap used added (MiB)', ((after.heapUsed - before.heapUsed) / MiB).toFixed(1)],
    ['cache bytes charged (MiB, bound cache.maxBytes 64)', `${(bytesBefore / MiB).toFixed(2)} -> ${(memory.bytes() / MiB).toFixed(1)}`],
    ['cache bytes charged per image', ((memory.bytes() - bytesBefore) / IMAGES).toFixed(0)],
    ['heap per image (bytes)', ((after.heapUsed - before.heapUsed) / IMAGES).toFixed(0)],
    [`newest ${sample} filled images answered from the cache alone`, `${cached}/${sample} (registry requests ${(await requests(metrics)) - r0})`],
    ['oldest filled image still cached', String(oldest[0]?.allowed === true)],
    ['peak RSS of the process (MiB)', (process.resourceUsage().maxRSS / 1024).toFixed(1)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  await pipeline.close();
  await client.close();
} finally {
  await fixture.stop();
}
