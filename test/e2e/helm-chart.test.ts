/**
 * Issue 17 item 3, "Proven by": the Helm chart installed with `helm install` on the real
 * kube-apiserver, with its default certificate mode (self-managed) and mTLS. Portcullis runs
 * in-process from what the chart installed — its ConfigMap, client CA and trust store read
 * back from the API server and laid out as the kubelet would mount them — as the chart's
 * ServiceAccount, so the chart's RBAC is what lets it create its certificate Secret, hold its
 * Lease and patch caBundle into the chart's webhook configurations. Those are pointed at it by
 * URL (nothing is scheduled: no kubelet), as the kustomize e2e does with the base.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { startPortcullis, type RunningPortcullis } from '../../src/main.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { CHART_DIR, RELEASE, helm } from '../helpers/helm.js';
import { httpsRequest } from '../helpers/https-client.js';
import { createKubeClient, type KubeClient, type KubeResponse } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationSigner, type NotationSigner } from '../helpers/notation-signer.js';
import { pushImage } from '../helpers/push-image.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';

const NS = RELEASE.namespace;
const KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const;
const webhookPath = (kind: string): string => `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}s/portcullis`;

interface Webhook { name: string; clientConfig: { url?: string; caBundle?: string; service?: unknown }; [k: string]: unknown }
interface PodBody { spec: { containers: { image: string }[] } }
const pod = (name: string, image: string): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image }] },
});
const messageOf = (res: KubeResponse): string => (res.body as { message?: string }).message ?? JSON.stringify(res.body);

describe('the Helm chart installed with helm install on a real kube-apiserver', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let signer: NotationSigner;
  let admin: KubeClient;
  let portcullis: RunningPortcullis | undefined;
  let dir: string;
  let savedKubeconfig: string | undefined;
  let signed: string; let signedDigest: string; let unsigned: string;
  let baseUrl: string;

  beforeAll(async () => {
    [cp, registry, signer] = await Promise.all([startControlPlane(), startRegistry('distribution'), createNotationSigner()]);
    admin = createKubeClient(cp.kubeConfig);
    signed = `${registry.host}/team/app:1.0`;
    unsigned = `${registry.host}/team/unsigned:1.0`;
    signedDigest = (await pushImage(signed, { content: 'app' })).digest;
    await pushImage(unsigned, { content: 'unsigned' });
    await signer.sign(`${registry.host}/team/app@${signedDigest}`);

    // --- helm install: defaults but for the cluster's facts (client CA, trust anchor,
    // registry) and, since the webhooks call it by URL here, an IP SAN; short checks.
    const install = await helm(['install', RELEASE.name, CHART_DIR, '--namespace', NS, '--create-namespace', '--kubeconfig', cp.kubeconfigPath], {
      mtls: { clientCA: { pem: cp.webhookClientCaPem } },
      trust: { files: { 'ca.pem': readFileSync(signer.certFile, 'utf8') } },
      registries: { insecure: [registry.host] },
      certificates: { selfManaged: { enabled: true, extraNames: ['127.0.0.1'], checkInterval: '1s', leaseDuration: '3s' } },
    });
    // stderr: helm's informational logs (the CRD watch, the crds/ symbolic link); shown on failure.
    expect([install.code, install.stderr]).toEqual([0, expect.any(String)]);
    expect(install.stdout).toContain('Mutual TLS is ON');

    // --- what the kubelet would mount, from the installed objects
    dir = mkdtempSync(join(tmpdir(), 'portcullis-helm-e2e-'));
    const read = async (path: string): Promise<Record<string, string>> => {
      const res = await admin.get<{ data: Record<string, string> }>(path);
      expect([path, res.status]).toEqual([path, 200]);
      return res.body.data;
    };
    const mount = (sub: string, files: Record<string, string>): void => {
      mkdirSync(join(dir, sub), { recursive: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, sub, name), content);
    };
    mount('client-ca', await read(`/api/v1/namespaces/${NS}/configmaps/portcullis-client-ca`));
    const trust = await read(`/api/v1/namespaces/${NS}/secrets/portcullis-trust-store`);
    mount('trust', Object.fromEntries(Object.entries(trust).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])));
    const installedText = (await read(`/api/v1/namespaces/${NS}/configmaps/portcullis-config`))['portcullis.yaml'] ?? '';
    const config = parse(installedText.replaceAll('/etc/portcullis/', `${dir}/`)) as Record<string, Record<string, unknown>>;
    // Only where it listens changes: loopback and free ports instead of the Pod's 8443/9090.
    const port = await freePort();
    config.server = { ...config.server, host: '127.0.0.1', port, metricsPort: await freePort() };
    const configPath = join(dir, 'config', 'portcullis.yaml');
    mount('config', { 'portcullis.yaml': stringify(config) });
    baseUrl = `https://127.0.0.1:${port}`;

    // --- the webhooks call the local Portcullis by URL instead of the Service (caBundle: Portcullis' own).
    for (const kind of KINDS) {
      const path = kind === 'MutatingWebhookConfiguration' ? '/mutate' : '/validate';
      const res = await admin.request('PATCH', webhookPath(kind), [
        { op: 'remove', path: '/webhooks/0/clientConfig/service' },
        { op: 'add', path: '/webhooks/0/clientConfig/url', value: `${baseUrl}${path}` },
      ], { contentType: 'application/json-patch+json' });
      expect([kind, res.status]).toEqual([kind, 200]);
    }

    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cp.portcullisKubeconfigPath;
    portcullis = await startPortcullis({ configPath, logger: silentLogger() });
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'apps' } })).status).toBe(201);
    await waitForWebhooks(admin, 'apps', pod('warmup', signed), signed);
  }, 300_000);

  afterAll(async () => {
    await portcullis?.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = savedKubeconfig;
    await Promise.all([cp?.stop(), registry?.stop()]);
    signer?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('stores webhook configurations with the kustomize base\'s rules, failurePolicy, sideEffects, timeouts and namespaceSelector', async () => {
    for (const kind of KINDS) {
      const stored = (await admin.get<{ webhooks: Webhook[] }>(webhookPath(kind))).body.webhooks;
      const base = (loadManifests().find((m) => m.object.kind === kind)?.object as unknown as { webhooks: Webhook[] }).webhooks;
      expect(stored.map((w) => w.name)).toEqual(base.map((w) => w.name));
      base.forEach(({ clientConfig: _c, ...fields }, i) => expect([kind, stored[i]]).toEqual([kind, expect.objectContaining(fields)]));
    }
  });

  it('has Portcullis (as the chart\'s ServiceAccount) create its certificate Secret and write its CA into both caBundles', async () => {
    const secret = await admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${NS}/secrets/portcullis-webhook-tls`);
    expect(secret.status).toBe(200);
    const bundle = secret.body.data['ca-bundle.crt'];
    expect(bundle).toBeDefined();
    for (const kind of KINDS) {
      await waitFor(`${kind} caBundle`, async () => {
        const w = (await admin.get<{ webhooks: Webhook[] }>(webhookPath(kind))).body.webhooks[0];
        return w?.clientConfig.caBundle === bundle ? true : undefined;
      }, 30_000);
    }
    const lease = await admin.get<{ spec: { holderIdentity?: string } }>(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/portcullis-webhook-certs`);
    expect([lease.status, typeof lease.body.spec.holderIdentity]).toEqual([200, 'string']);
  });

  it('pins a signed image to its digest and admits it; denies an unsigned one naming it', async () => {
    const ok = await admin.create('/api/v1/namespaces/apps/pods', pod('signed', signed));
    expect([ok.status, messageOf(ok)]).toEqual([201, expect.any(String)]);
    expect((await admin.get<PodBody>('/api/v1/namespaces/apps/pods/signed')).body.spec.containers[0]?.image).toBe(`${signed}@${signedDigest}`);
    const denied = await admin.create('/api/v1/namespaces/apps/pods', pod('unsigned', unsigned));
    expect(denied.status).toBeGreaterThanOrEqual(400);
    expect(messageOf(denied)).toContain('admission webhook "verify.portcullis.dev" denied the request');
    expect(messageOf(denied)).toContain(`image "${unsigned}`);
  });

  it('never judges the release namespace (namespaceSelector): an unsigned Pod there is stored', async () => {
    const res = await admin.create(`/api/v1/namespaces/${NS}/pods`, pod('own', unsigned));
    expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
  });

  it('answers only the client the chart\'s mTLS allow-list names', async () => {
    const review = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: 'direct-1', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
        operation: 'CREATE', namespace: 'apps', name: 'p', userInfo: { username: 'someone' }, object: pod('p', signed),
      },
    };
    const secret = (await admin.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${NS}/secrets/portcullis-webhook-tls`)).body.data;
    const servingCa = Buffer.from(secret['ca-bundle.crt'] ?? '', 'base64').toString('utf8');
    const post = (client: { certPem: string; keyPem: string }) => httpsRequest(`${baseUrl}/validate`, {
      method: 'POST', body: JSON.stringify(review), ca: servingCa, cert: client.certPem, key: client.keyPem,
    });
    expect((await post(cp.webhookClient)).status).toBe(200);
    const intruder = cp.webhookClientCa.issue({ commonName: 'system:node:worker-1', usage: 'client' });
    const refused = await post(intruder);
    expect([refused.status, refused.json<{ code: string }>().code]).toEqual([403, 'CLIENT_NOT_ALLOWED']);
  }, 30_000);

  it('lets the chart\'s ServiceAccount write only its own Secret, Lease and webhook configurations', async () => {
    const me = createKubeClient(cp.portcullisKubeConfig);
    const other = { metadata: { name: 'someone-else' } };
    expect((await admin.create(`/api/v1/namespaces/${NS}/secrets`, other)).status).toBe(201);
    expect((await me.request('PUT', `/api/v1/namespaces/${NS}/secrets/someone-else`, { ...other, data: { x: 'eA==' } })).status).toBe(403);
    expect((await me.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/someone-else`, { metadata: { name: 'someone-else' }, spec: {} })).status).toBe(403);
    expect((await admin.create('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', { metadata: { name: 'someone-else' }, webhooks: [] })).status).toBe(201);
    const patch = [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }];
    const opts = { contentType: 'application/json-patch+json' };
    expect((await me.request('PATCH', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/someone-else', patch, opts)).status).toBe(403);
    expect((await me.request('PATCH', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/portcullis', [{ op: 'test', path: '/metadata/name', value: 'portcullis' }], opts)).status).toBe(200);
    expect((await me.create('/api/v1/namespaces/apps/pods', pod('from-portcullis', signed))).status).toBe(403);
    expect((await me.create('/api/v1/namespaces/apps/secrets', other)).status).toBe(403);
  });
});
