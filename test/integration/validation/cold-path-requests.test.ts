/**
 * Issue 15, cold path: the registry requests the pipeline sends for a digest-pinned image,
 * counted at a proxy in front of a real registry (olareg) with real notation signatures:
 *  - no request whose answer can change nothing: Cosign's legacy `.sig`/`.att` tags are asked
 *    only when a configured verifier reads them;
 *  - the referrer listing does not wait for the subject's HEAD (it needs only the digest): with
 *    the HEAD refused, the listing has still gone out (the old pipeline sent nothing after a
 *    failed resolve).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { parseConfig, type ConfigInput } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createRegistryClient } from '../../../src/oci/registry-client.js';
import { buildValidationPipeline } from '../../../src/validation/build-validation-pipeline.js';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../../helpers/fault-proxy.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { notationVerifierEntry } from '../../helpers/signed-images-fixture.js';

const SIGNATURES = 2;

let registry: RunningRegistry;
let proxy: FaultProxy;
let notation: NotationCli;
let work: string;
let image: string;
let digest: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-cold-requests-'));
  registry = await startRegistry('olareg');
  proxy = await startFaultProxy(registry.host);
  notation = createNotationCli();
  await notation.run(['cert', 'generate-test', 'release']);
  const pushed = await pushImage(`${registry.host}/cold/app:1`, { content: 'cold path app' });
  for (let s = 0; s < SIGNATURES; s++) await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/cold/app@${pushed.digest}`]);
  digest = pushed.digest;
  image = `${proxy.host}/cold/app@${digest}`;
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(work, 'cosign.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
}, 120_000);

afterAll(async () => {
  notation?.cleanup();
  await proxy?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function ctx(): AdmissionContext {
  return {
    signal: AbortSignal.timeout(20_000), deadline: Date.now() + 20_000,
    request: { uid: 'u1', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'web', userInfo: { username: 'dev', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

async function validate(verifiers: readonly Record<string, unknown>[]) {
  const config = parseConfig({ registries: { insecure: [proxy.host] }, verifiers: verifiers as ConfigInput['verifiers'] }, { baseDir: work, file: null });
  const client = createRegistryClient({ insecure: [proxy.host] });
  const pipeline = await buildValidationPipeline(config, { client, logger: silentLogger(), watchPolicy: false });
  try {
    return await pipeline.validator.validateDetailed([image], ctx());
  } finally {
    await pipeline.close();
    await client.close();
  }
}

const hex = () => digest.slice('sha256:'.length);
const isCosignTag = (r: ProxiedRequest) => /\/manifests\/sha256-[0-9a-f]+\.(sig|att)$/.test(r.path);
const isListing = (r: ProxiedRequest) => r.path.endsWith(`/referrers/${digest}`) || r.path.endsWith(`/manifests/sha256-${hex()}`);

describe('registry requests of a cold, digest-pinned image', () => {
  it('with only a Notation verifier: no Cosign tag is asked, and nothing else is sent twice', async () => {
    proxy.reset();
    const [verdict] = await validate([notationVerifierEntry(notation)]);
    expect(verdict!.allowed).toBe(true);
    expect(verdict!.targets[0]!.input.results).toHaveLength(SIGNATURES);
    expect(proxy.count(isCosignTag)).toBe(0);
    const paths = proxy.requests.map((r) => `${r.method} ${r.path}`);
    expect(new Set(paths).size).toBe(paths.length);
    // HEAD of the subject, referrers API, tag schema, then a manifest and a blob per signature.
    expect(proxy.count()).toBe(3 + 2 * SIGNATURES);
  }, 60_000);

  it('with a Cosign verifier too: the .sig and .att tags are asked as well', async () => {
    proxy.reset();
    const [verdict] = await validate([notationVerifierEntry(notation), { name: 'cosign-key', type: 'cosign', key: join(work, 'cosign.pub'), tlog: { required: false } }]);
    // The default policy: Notation's signatures pass; the image has no Cosign signature.
    expect(verdict!.targets[0]!.input.results.filter((r) => r.type === 'notation')).toHaveLength(SIGNATURES);
    expect(proxy.requests.filter(isCosignTag).map((r) => r.path.slice(r.path.lastIndexOf('.')))).toEqual(expect.arrayContaining(['.sig', '.att']));
    expect(proxy.count(isCosignTag)).toBe(2);
  }, 60_000);

  it('lists referrers without waiting for the subject HEAD: refused HEAD, listing sent anyway, image denied naming the resolve', async () => {
    proxy.reset();
    proxy.setFault((r) => (r.method === 'HEAD' && r.path.endsWith(`/manifests/${digest}`) ? { respond: { status: 404 } } : undefined));
    const [verdict] = await validate([notationVerifierEntry(notation)]);
    expect(verdict!.allowed).toBe(false);
    expect(verdict!.targets[0]!.input.errors.map((e) => e.stage)).toContain('resolve');
    expect(verdict!.targets[0]!.input.results).toHaveLength(0);
    expect(proxy.count(isListing)).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
