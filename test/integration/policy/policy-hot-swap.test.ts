/**
 * Hot swap of the policy bundle file while the validation pipeline serves: ≥50 concurrent
 * validations against a real registry, the bundle replaced on disk (watched with chokidar),
 * then a broken bundle written. Zero failed validations; decisions switch to the new policy;
 * the broken bundle is refused and counted while service goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { parseConfig } from '../../../src/config/index.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../src/validation/build-validation-pipeline.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

let registry: RunningRegistry;
let client: PortcullisRegistryClient;
let work: string;
let allowBundle: Uint8Array;
let denyBundle: Uint8Array;

async function flip(allow: boolean, generation: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-flip-'));
  cpSync(join(PROJECT_ROOT, 'test/fixtures/policy/flip'), dir, { recursive: true });
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ allow, generation }));
  const built = await buildFixtureBundle(dir);
  rmSync(dir, { recursive: true, force: true });
  return built.bytes;
}

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(10_000), deadline: Date.now() + 10_000,
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-hot-swap-'));
  registry = await startRegistry('olareg');
  await pushImage(`${registry.host}/app/web:1`);
  [allowBundle, denyBundle] = await Promise.all([flip(true, '1'), flip(false, '2')]);
  client = createRegistryClient({ insecure: [registry.host] });
}, 120_000);

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('policy hot swap under load', () => {
  let pipeline: ValidationPipeline;
  afterAll(async () => { await pipeline?.close(); });

  it('switches decisions with zero failed validations, and refuses a broken bundle while serving', async () => {
    const bundle = join(work, 'bundle.tar.gz');
    writeFileSync(bundle, allowBundle);
    const metrics = createMetrics(undefined, { defaults: false });
    pipeline = await buildValidationPipeline(
      parseConfig({ registries: { insecure: [registry.host] }, policy: { bundle }, validation: { requireDigest: false } }, { baseDir: work, file: null }),
      { client, logger: silentLogger(), metrics },
    );
    const reloads = async (result: string) => (await metrics.policyReloads.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
    const image = `${registry.host}/app/web:1`;

    let phase: 'before' | 'swapping' | 'after' | 'broken' = 'before';
    let stop = false;
    const failures: string[] = [];
    const seen: Record<string, { allowed: number; denied: number }> = {
      before: { allowed: 0, denied: 0 }, swapping: { allowed: 0, denied: 0 }, after: { allowed: 0, denied: 0 }, broken: { allowed: 0, denied: 0 },
    };
    const clientLoop = async () => {
      while (!stop) {
        const at = phase;
        try {
          const [v] = await pipeline.validator.validate([image], ctx());
          if (!v || v.reasons.some((r) => r.startsWith('policy error'))) failures.push(JSON.stringify(v));
          else seen[at]![v.allowed ? 'allowed' : 'denied']++;
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 60 }, clientLoop);

    await waitFor(() => seen.before!.allowed >= 100, 'validations before the swap');
    phase = 'swapping';
    writeFileSync(join(work, 'next.tmp'), denyBundle);
    renameSync(join(work, 'next.tmp'), bundle);
    await waitFor(async () => (await reloads('success')) >= 2, 'the new bundle to load');
    phase = 'after';
    await waitFor(() => seen.after!.denied >= 100, 'validations after the swap');
    phase = 'broken';
    writeFileSync(bundle, 'this is not a bundle');
    await waitFor(async () => (await reloads('failure')) >= 1, 'the broken bundle to be refused');
    const brokenSeen = seen.broken!.denied;
    await waitFor(() => seen.broken!.denied >= brokenSeen + 100, 'validations after the broken bundle');
    stop = true;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(seen.before).toEqual({ allowed: expect.any(Number), denied: 0 });
    expect(seen.after).toEqual({ allowed: 0, denied: expect.any(Number) });
    expect(seen.broken).toEqual({ allowed: 0, denied: expect.any(Number) });
    expect(await reloads('success')).toBe(2);
    expect(await reloads('failure')).toBe(1);
    const [last] = await pipeline.validator.validate([image], ctx());
    expect(last!.reasons).toEqual(['denied by flip policy generation 2']);
  }, 120_000);
});
