/**
 * The cache across config reloads (issue 14/15 follow-up, docs/caching.md): a real Portcullis
 * watching its config file, in front of a real registry (olareg) with an image signed by the
 * real `notation` CLI. A reload that leaves the verifiers as they were keeps every cached
 * result warm (no registry request afterwards); a reload that changes the trust (the trusted
 * identity) is never answered from the old result: the image is verified again and denied.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet, type CertSet } from '../../../src/certs/index.js';
import { startPortcullis, type RunningPortcullis } from '../../../src/main.js';
import { buildPolicyBundle } from '../../../src/policy/build-policy-bundle.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { podReview } from '../../helpers/pod-review.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

const NOTARY = 'application/vnd.cncf.notary.signature';

let registry: RunningRegistry;
let notation: NotationCli;
let work: string;
let certs: CertSet;
let configPath: string;
let portcullis: RunningPortcullis;
let signed: string;
let baseConfig: Record<string, unknown>;

function configWith(admission: Record<string, unknown>, trustedIdentities: string[]): Record<string, unknown> {
  const verifier = (baseConfig.verifiers as Array<Record<string, unknown>>)[0]!;
  const policy = verifier.trustPolicy as { trustPolicies: Array<Record<string, unknown>> };
  return {
    ...baseConfig,
    admission,
    verifiers: [{ ...verifier, trustPolicy: { ...policy, trustPolicies: [{ ...policy.trustPolicies[0], trustedIdentities }] } }],
  };
}

/** Written beside the file and renamed over it, as a ConfigMap update does; then waits for the watcher to apply it. */
async function rewriteConfig(config: Record<string, unknown>, applied: () => boolean): Promise<void> {
  writeFileSync(`${configPath}.tmp`, stringify(config));
  renameSync(`${configPath}.tmp`, configPath);
  const end = Date.now() + 20_000;
  while (!applied()) {
    if (Date.now() > end) throw new Error('the config change was not applied');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function validate(image: string): Promise<{ allowed: boolean; message: string }> {
  const res = await httpsRequest(`${portcullis.url}/validate?timeout=10s`, { method: 'POST', body: JSON.stringify(podReview([image])), ca: certs.ca.certPem, timeoutMs: 15_000 });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
  const { response } = res.json<{ response: { allowed: boolean; status?: { message: string } } }>();
  return { allowed: response.allowed, message: response.status?.message ?? '' };
}

/** Sum of a counter's samples (every label set) as /metrics serves it. */
async function total(name: string): Promise<number> {
  const text = await (await fetch(`${portcullis.metricsUrl}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-reload-cache-'));
  registry = await startRegistry('olareg');
  notation = createNotationCli();
  const desc = await pushImage(`${registry.host}/app/signed:1`, { content: 'signed app, reload test' });
  signed = `${registry.host}/app/signed:1@${desc.digest}`;
  await notation.run(['cert', 'generate-test', 'release']);
  await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/app/signed@${desc.digest}`]);
  mkdirSync(join(work, 'policy'));
  const bundle = await buildPolicyBundle(join(PROJECT_ROOT, 'policies'), join(work, 'policy', 'bundle.tar.gz'), { opaPath: toolPath('opa') });
  certs = generateCertSet();
  await writeCertSet(join(work, 'certs'), certs);
  configPath = join(work, 'portcullis.yaml');
  baseConfig = {
    server: { shutdownGraceMs: 1000 },
    tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
    registries: { insecure: [registry.host] },
    policy: { bundle },
    verifiers: [{
      name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
      trustStores: { ca: { release: [join(notation.configDir, 'localkeys', 'release.crt')] } },
      trustPolicy: {
        version: '1.0',
        trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }],
      },
    }],
  };
  writeFileSync(configPath, stringify(configWith({ maxInflight: 256 }, ['*'])));
  portcullis = await startPortcullis({ configPath, kubeConfig: null, logger: pino({ level: 'silent' }), listen: { port: 0, metricsPort: 0, host: '127.0.0.1' } });
}, 180_000);

afterAll(async () => {
  await portcullis?.close();
  await registry?.stop();
  notation?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('config reload and the result cache', () => {
  it('an unrelated change (admission limits) keeps the cached result: no registry request after the reload', async () => {
    expect(await validate(signed)).toMatchObject({ allowed: true });
    // Warm within one generation: the premise of the next step.
    const warm = await total('portcullis_registry_requests_total');
    expect(await validate(signed)).toMatchObject({ allowed: true });
    expect(await total('portcullis_registry_requests_total')).toBe(warm);

    const before = portcullis.ports();
    await rewriteConfig(configWith({ maxInflight: 128 }, ['*']), () => portcullis.ports() !== before);
    const afterReload = await total('portcullis_registry_requests_total');
    const verified = await total('portcullis_verifier_duration_seconds_count');
    expect(await validate(signed)).toMatchObject({ allowed: true });
    expect(await total('portcullis_registry_requests_total')).toBe(afterReload);
    expect(await total('portcullis_verifier_duration_seconds_count')).toBe(verified);
  }, 60_000);

  it('a trust change (the trusted identity) is not answered from the old result: verified again and denied', async () => {
    const verified = await total('portcullis_verifier_duration_seconds_count');
    const before = portcullis.ports();
    await rewriteConfig(configWith({ maxInflight: 128 }, ['x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=someone-else']), () => portcullis.ports() !== before);
    const answer = await validate(signed);
    expect(answer.allowed).toBe(false);
    expect(answer.message).toMatch(/signature/i);
    expect(await total('portcullis_verifier_duration_seconds_count')).toBeGreaterThan(verified);
  }, 60_000);
});
