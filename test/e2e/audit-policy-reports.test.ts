/**
 * Issue 18, "Proven by": the audit of running workloads on a real etcd + kube-apiserver.
 * Portcullis runs in audit mode with `audit.enabled`, as the manifests' ServiceAccount (so the
 * audit RBAC and the PolicyReport CRDs from manifests/ are what it works with). Pods created
 * while it audits are admitted, and appear in the namespace's PolicyReport with one result
 * per image: pass for the signed image, fail for the unsigned one with the very line a denial
 * gives in an enforce namespace. Then the trust store file is replaced by one that no longer
 * trusts the signer: the report flips without any new admission.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { startPortcullis, type RunningPortcullis } from '../../src/main.js';
import { silentLogger } from '../../src/observability/logger.js';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationSigner, type NotationSigner } from '../helpers/notation-signer.js';
import { pushImage } from '../helpers/push-image.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { createTestCa } from '../helpers/test-ca.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';

interface ReportResult { result: string; message: string; resources: Array<{ kind: string; name: string }>; properties: { image: string; mode: string } }
interface PolicyReport { summary: Record<string, number>; results: ReportResult[] }
interface PodBody { spec: { containers: { image: string }[] } }

const pod = (name: string, images: string[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
});

describe('the audit of running workloads on a real kube-apiserver', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let signer: NotationSigner;
  let portcullis: RunningPortcullis | undefined;
  let admin: KubeClient;
  let dir: string;
  let trustFile: string;
  let savedKubeconfig: string | undefined;
  let signed: string;
  let unsigned: string;
  let configPath: string;
  let auditConfig: Record<string, unknown>;

  const report = async (ns: string): Promise<PolicyReport | undefined> => {
    const res = await admin.get<PolicyReport>(`/apis/wgpolicyk8s.io/v1alpha2/namespaces/${ns}/policyreports/portcullis-images`);
    return res.status === 200 ? res.body : undefined;
  };
  const resultFor = (r: PolicyReport | undefined, kind: string, name: string, imagePrefix: string) =>
    r?.results.find((x) => x.resources[0]?.kind === kind && x.resources[0]?.name === name && x.properties.image.startsWith(imagePrefix));
  const admissions = async () => (await portcullis!.metrics.admissionRequests.get()).values.reduce((n, v) => n + v.value, 0);

  beforeAll(async () => {
    [cp, registry, signer] = await Promise.all([startControlPlane(), startRegistry('distribution'), createNotationSigner('audit-e2e')]);
    admin = createKubeClient(cp.kubeConfig);
    signed = `${registry.host}/team/app:1.0`;
    unsigned = `${registry.host}/team/unsigned:1.0`;
    const digest = (await pushImage(signed, { content: 'app' })).digest;
    await pushImage(unsigned, { content: 'unsigned' });
    await signer.sign(`${registry.host}/team/app@${digest}`);

    dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-e2e-'));
    mkdirSync(join(dir, 'trust'));
    trustFile = join(dir, 'trust', 'ca.pem');
    writeFileSync(trustFile, readFileSync(signer.certFile));
    const serving = createTestCa('portcullis-audit-e2e-serving-ca');
    const pair = serving.issue({ commonName: 'portcullis', usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    writeFileSync(join(dir, 'tls.crt'), pair.certPem);
    writeFileSync(join(dir, 'tls.key'), pair.keyPem, { mode: 0o600 });

    const configMap = loadManifests().find((m) => m.object.kind === 'ConfigMap')?.object as unknown as { data: Record<string, string> };
    const config = parse(configMap.data['portcullis.yaml'] ?? '') as Record<string, Record<string, unknown>> & { verifiers: Record<string, unknown>[] };
    config.server = { ...config.server, host: '127.0.0.1', port: await freePort(), metricsPort: await freePort() };
    config.tls = { ...config.tls, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), clientCAFile: cp.webhookClientCaFile };
    config.registries = { ...config.registries, insecure: [registry.host] };
    config.validation = { ...config.validation, mode: 'audit' };
    // The interval is long: every re-scan below comes from a change (config, trust material).
    config.audit = { enabled: true, checkSeconds: 1, imagesPerSecond: 50, intervalSeconds: 3600 };
    (config.verifiers[0] as { trustStores: unknown }).trustStores = { ca: { release: [trustFile] } };
    configPath = join(dir, 'portcullis.yaml');
    auditConfig = config;
    writeFileSync(configPath, stringify(config));

    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cp.portcullisKubeconfigPath;
    portcullis = await startPortcullis({ configPath, logger: silentLogger() });
    await applyManifests(cp.kubeConfig, manifestsForTarget({ baseUrl: portcullis.url, caPem: serving.certPem }));
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'apps' } })).status).toBe(201);
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'strict', labels: { 'portcullis.dev/mode': 'enforce' } } })).status).toBe(201);
    await waitForWebhooks(admin, 'apps', pod('warmup', [signed]), signed);
  }, 240_000);

  afterAll(async () => {
    await portcullis?.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = savedKubeconfig;
    await Promise.all([cp?.stop(), registry?.stop()]);
    signer?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('admits Pods in audit mode and, on the next scan (a config change), reports each image: pass when signed, fail with the denial\'s reason when not', async () => {
    const created = await admin.create<PodBody>('/api/v1/namespaces/apps/pods', pod('web', [signed, unsigned]));
    expect(created.status).toBe(201);
    const [pinnedSigned, pinnedUnsigned] = created.body.spec.containers.map((c) => c.image) as [string, string];
    expect(pinnedUnsigned.startsWith(`${unsigned}@sha256:`)).toBe(true);
    // What enforce says about the same image: the report must say the same.
    const denied = await admin.create<{ message: string }>('/api/v1/namespaces/strict/pods', pod('web', [pinnedUnsigned]));
    expect(denied.status).toBe(403);
    // A config change (any valid one) re-scans: here a different pacing.
    writeFileSync(configPath, stringify({ ...auditConfig, audit: { ...(auditConfig.audit as object), imagesPerSecond: 40 } }));

    const r = await waitFor('the PolicyReport to list Pod web', async () => {
      const got = await report('apps');
      return resultFor(got, 'Pod', 'web', unsigned) && resultFor(got, 'Pod', 'web', signed) ? got : undefined;
    }, 60_000, 500);
    expect(resultFor(r, 'Pod', 'web', signed)).toMatchObject({ result: 'pass', properties: { image: pinnedSigned, mode: 'audit' } });
    const failing = resultFor(r, 'Pod', 'web', unsigned)!;
    expect(failing).toMatchObject({ result: 'fail', properties: { image: pinnedUnsigned, mode: 'audit' } });
    expect(failing.message).toMatch(/^image ".*" denied: no valid signature/);
    expect(denied.body.message).toContain(failing.message);
    expect(r.summary).toMatchObject({ fail: 1, pass: 1 });
    // The scan writes the cluster-wide report after the namespaced ones: wait for it too.
    const cluster = await waitFor('the ClusterPolicyReport', async () => {
      const got = await admin.get<{ kind: string; summary: Record<string, number> }>('/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/portcullis-images');
      return got.status === 200 ? got : undefined;
    }, 30_000, 250);
    expect(cluster.status).toBe(200);
    expect(cluster.body.summary.fail).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('flips the signed image to fail when a trust-store change revokes its signer, with no new admission', async () => {
    const before = await admissions();
    expect(resultFor(await report('apps'), 'Pod', 'web', signed)?.result).toBe('pass');
    // The trust store now holds another CA only (an atomic replace, as a Secret volume update does).
    writeFileSync(join(dir, 'trust', 'next.pem'), createTestCa('someone-else').certPem);
    renameSync(join(dir, 'trust', 'next.pem'), trustFile);

    const flipped = await waitFor('the report to flip the signed image', async () => {
      const got = resultFor(await report('apps'), 'Pod', 'web', signed);
      return got?.result === 'fail' ? got : undefined;
    }, 60_000, 500);
    expect(flipped.message).toMatch(/^image ".*" denied: no valid signature: notation "release-signatures"/);
    expect(await admissions()).toBe(before);
  }, 120_000);
});
