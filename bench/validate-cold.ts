/**
 * Cold-path benchmark of the validation pipeline (SPEC "Performance"; a benchmark, not a test).
 *
 * 10 images × 5 Notation signatures each (real notation CLI) in a real registry (olareg),
 * reached through a proxy that delays every request by the injected round-trip time (default
 * 20 ms). Each run starts with an empty cache and a fresh client, and validates the 10 images
 * as one Pod would. Printed beside the lower bound: the dependent round trips the work needs
 * (resolve → list referrers → signature manifest → signature blob = 4) × RTT.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/validate-cold.ts [--rtt MS] [--runs N]
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
import { createRegistryClient } from '../src/oci/registry-client.js';
import { buildValidationPipeline } from '../src/validation/build-validation-pipeline.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { createNotationCli } from '../test/helpers/notation-cli.js';
import { pushImage } from '../test/helpers/push-image.js';
import { startRegistry } from '../test/helpers/registry-server.js';

const { values: args } = parseArgs({ options: { rtt: { type: 'string', default: '20' }, runs: { type: 'string', default: '7' } } });
const RTT = Number(args.rtt);
const RUNS = Number(args.runs);
const IMAGES = 10;
const SIGNATURES = 5;
const DEPENDENT_ROUND_TRIPS = 4;

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
    images.push(`${proxy.host}/bench/app${i}:1`);
  }
  const config = parseConfig({
    registries: { insecure: [proxy.host] },
    // Images named by tag: the figures include resolving them (validation.requireDigest off).
    validation: { requireDigest: false },
    verifiers: [{
      name: 'release-signatures', type: 'notation', watch: false,
      trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
    }],
  }, { baseDir: work, file: null });

  proxy.setFault(() => ({ delayMs: RTT }));
  const latencies: number[] = [];
  let coldRequests = 0;
  let warmRequests = 0;
  let maxInFlight = 0;
  for (let run = 0; run < RUNS; run++) {
    const cache = createMemoryCache();
    const client = createCachingRegistryClient(createRegistryClient({ insecure: [proxy.host], maxConcurrencyPerRegistry: 64 }), cache);
    const pipeline = await buildValidationPipeline(config, { client, cache, logger: silentLogger(), watchPolicy: false });
    proxy.reset();
    proxy.setFault(() => ({ delayMs: RTT }));
    const t = performance.now();
    const verdicts = await pipeline.validator.validateDetailed(images, ctx());
    latencies.push(performance.now() - t);
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
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)]!;
  const bound = DEPENDENT_ROUND_TRIPS * RTT;
  const rows: Array<[string, string]> = [
    ['images × signatures', `${IMAGES} × ${SIGNATURES}`],
    ['injected round-trip time (ms)', String(RTT)],
    ['dependent round trips (lower bound)', `${DEPENDENT_ROUND_TRIPS} → ${bound} ms`],
    [`cold validation, median of ${RUNS} (ms)`, median.toFixed(1)],
    ['cold / lower bound', (median / bound).toFixed(2)],
    ['cold min / max (ms)', `${latencies[0]!.toFixed(1)} / ${latencies.at(-1)!.toFixed(1)}`],
    ['registry requests, cold', String(coldRequests)],
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
