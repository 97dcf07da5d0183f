/**
 * Issue 8, "Proven by": Portcullis as users run it. A real etcd + kube-apiserver calls a
 * Portcullis started in-process (startPortcullis, mTLS with the API server's client
 * certificate), installed from manifests/ (server-side apply, webhooks pointed at it by URL and
 * caBundle); images live in real registries and are signed with the real notation CLI.
 * Nothing is scheduled (no kubelet): what is proven is what the API server stores or refuses.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { startPortcullis, type RunningPortcullis } from '../../src/main.js';
import { silentLogger } from '../../src/observability/logger.js';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { htpasswd } from '../helpers/htpasswd.js';
import { createKubeClient, type KubeClient, type KubeResponse } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { createNotationSigner, type NotationSigner } from '../helpers/notation-signer.js';
import { pushImage } from '../helpers/push-image.js';
import { httpsRequest } from '../helpers/https-client.js';
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { createTestCa, type TestCa } from '../helpers/test-ca.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForWebhooks } from '../helpers/wait-for-webhooks.js';
import { startWebhookRecorder, type WebhookRecorder } from '../helpers/webhook-recorder.js';

const PRIVATE_AUTH = { username: 'alice', password: 'wonderland' };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

interface Status { message?: string }
interface PodBody { spec: { containers: { name: string; image: string }[] } }

function pod(name: string, images: string[], extra: { labels?: Record<string, string>; serviceAccountName?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      ...(extra.serviceAccountName ? { serviceAccountName: extra.serviceAccountName } : {}),
      containers: images.map((image, i) => ({ name: `c${i}`, image })),
    },
  };
}

function messageOf(res: KubeResponse): string {
  return (res.body as Status).message ?? JSON.stringify(res.body);
}

describe('Portcullis behind a real kube-apiserver', () => {
  let cp: ControlPlane;
  let registry: RunningRegistry;
  let privateRegistry: RunningRegistry;
  let signer: NotationSigner;
  let portcullis: RunningPortcullis | undefined;
  let admin: KubeClient;
  let ca: TestCa;
  let dir: string;
  let configPath: string;
  let tlsDir: string;
  let savedKubeconfig: string | undefined;
  // Images as written in objects, and their digests.
  let signed: string; let signedDigest: string;
  let sidecar: string; let sidecarDigest: string;
  let unsigned: string;
  let privateImage: string; let privateDigest: string;

  /** Writes a serving pair the way the kubelet updates a Secret volume: new folder, then an atomic `..data` symlink swap. */
  let generation = 0;
  function writeServingPair(): string {
    const pair = ca.issue({ commonName: 'portcullis', usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    generation += 1;
    const folder = `..gen${generation}`;
    mkdirSync(join(tlsDir, folder));
    writeFileSync(join(tlsDir, folder, 'tls.crt'), pair.certPem);
    writeFileSync(join(tlsDir, folder, 'tls.key'), pair.keyPem, { mode: 0o600 });
    symlinkSync(folder, join(tlsDir, '..data_tmp'));
    renameSync(join(tlsDir, '..data_tmp'), join(tlsDir, '..data'));
    if (generation === 1) {
      symlinkSync('..data/tls.crt', join(tlsDir, 'tls.crt'));
      symlinkSync('..data/tls.key', join(tlsDir, 'tls.key'));
    }
    return pair.certPem;
  }

  const start = (): Promise<RunningPortcullis> => startPortcullis({ configPath, logger: silentLogger() });

  beforeAll(async () => {
    [cp, registry, privateRegistry, signer] = await Promise.all([
      startControlPlane(),
      startRegistry('distribution'),
      startRegistry('distribution', { auth: { htpasswd: htpasswd(PRIVATE_AUTH.username, PRIVATE_AUTH.password) } }),
      createNotationSigner(),
    ]);
    admin = createKubeClient(cp.kubeConfig);

    // --- images: signed, unsigned, a signed sidecar, a signed image in a private registry
    signed = `${registry.host}/team/app:1.0`;
    sidecar = `${registry.host}/team/sidecar:2.0`;
    unsigned = `${registry.host}/team/unsigned:1.0`;
    privateImage = `${privateRegistry.host}/team/private:1.0`;
    signedDigest = (await pushImage(signed, { content: 'app' })).digest;
    sidecarDigest = (await pushImage(sidecar, { content: 'sidecar' })).digest;
    await pushImage(unsigned, { content: 'unsigned' });
    privateDigest = (await pushImage(privateImage, { content: 'private', auth: PRIVATE_AUTH })).digest;
    await signer.sign(`${registry.host}/team/app@${signedDigest}`);
    await signer.sign(`${registry.host}/team/sidecar@${sidecarDigest}`);
    await signer.sign(`${privateRegistry.host}/team/private@${privateDigest}`, PRIVATE_AUTH);

    // --- Portcullis: the manifests' ConfigMap, with test paths, ports and registries
    dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-'));
    tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    ca = createTestCa('portcullis-e2e-serving-ca');
    writeServingPair();
    const configMap = loadManifests().find((m) => m.object.kind === 'ConfigMap')?.object as unknown as { data: Record<string, string> };
    const config = parse(configMap.data['portcullis.yaml'] ?? '') as Record<string, Record<string, unknown>> & { verifiers: Record<string, unknown>[] };
    config.server = { ...config.server, host: '127.0.0.1', port: await freePort(), metricsPort: await freePort() };
    config.tls = { ...config.tls, certFile: join(tlsDir, 'tls.crt'), keyFile: join(tlsDir, 'tls.key'), clientCAFile: cp.webhookClientCaFile };
    config.registries = { ...config.registries, insecure: [registry.host, privateRegistry.host], kubernetesPullSecrets: true };
    // The label may relax the mode only where the operator says so (issue 13, class 8).
    config.validation = { ...config.validation, modeLabelMayRelax: { namespaces: ['relaxed'] } };
    const verifier = config.verifiers[0] as { trustStores: { ca: Record<string, string[]> } };
    verifier.trustStores = { ca: { release: [signer.certFile] } };
    configPath = join(dir, 'portcullis.yaml');
    writeFileSync(configPath, stringify(config));

    // Out of cluster, Portcullis finds the API server like kubectl does; it runs as the
    // manifests' ServiceAccount, so their RBAC is what lets it read pull secrets and labels.
    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = cp.portcullisKubeconfigPath;
    portcullis = await start();

    await applyManifests(cp.kubeConfig, manifestsForTarget({ baseUrl: portcullis.url, caPem: ca.certPem }));
    for (const ns of ['apps', 'private']) expect((await admin.create('/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'relaxed', labels: { 'portcullis.dev/mode': 'warn' } } })).status).toBe(201);
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'self-relaxed', labels: { 'portcullis.dev/mode': 'audit' } } })).status).toBe(201);
    await waitForWebhooks(admin, 'apps', pod('warmup', [signed]), signed);
  }, 240_000);

  afterAll(async () => {
    await portcullis?.close();
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG; else process.env.KUBECONFIG = savedKubeconfig;
    await Promise.all([cp?.stop(), registry?.stop(), privateRegistry?.stop()]);
    signer?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  describe('mutation', () => {
    it('stores a bare Pod created with a tag with its digest (read back)', async () => {
      const res = await admin.create('/api/v1/namespaces/apps/pods', pod('bare', [signed]));
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
      const stored = await admin.get<PodBody>('/api/v1/namespaces/apps/pods/bare');
      expect(stored.body.spec.containers.map((c) => c.image)).toEqual([`${signed}@${signedDigest}`]);
    });

    it('stores a Deployment created with a tag with its digest (read back)', async () => {
      const res = await admin.create('/apis/apps/v1/namespaces/apps/deployments', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
        spec: {
          replicas: 1, selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { initContainers: [{ name: 'init', image: sidecar }], containers: [{ name: 'web', image: signed }] } },
        },
      });
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
      const stored = await admin.get<{ spec: { template: { spec: { initContainers: { image: string }[]; containers: { image: string }[] } } } }>('/apis/apps/v1/namespaces/apps/deployments/web');
      expect(stored.body.spec.template.spec.initContainers[0]?.image).toBe(`${sidecar}@${sidecarDigest}`);
      expect(stored.body.spec.template.spec.containers[0]?.image).toBe(`${signed}@${signedDigest}`);
    });

    it('stores a CronJob created with a tag with its digest (read back)', async () => {
      const res = await admin.create('/apis/batch/v1/namespaces/apps/cronjobs', {
        apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' },
        spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: signed }] } } } } },
      });
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
      const stored = await admin.get<{ spec: { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } } }>('/apis/batch/v1/namespaces/apps/cronjobs/nightly');
      expect(stored.body.spec.jobTemplate.spec.template.spec.containers[0]?.image).toBe(`${signed}@${signedDigest}`);
    });

    it('is reinvoked after a later webhook injects a sidecar: the sidecar is pinned, the pinned image left unchanged', async () => {
      const injector: WebhookRecorder = await startWebhookRecorder({
        ...ca.issue({ commonName: 'injector', usage: 'server', ipAddresses: ['127.0.0.1'] }),
        clientCaPem: cp.webhookClientCaPem,
        respond: (review) => {
          const object = review.request?.object as PodBody | undefined;
          if (!object || object.spec.containers.some((c) => c.name === 'sidecar')) return {};
          const patch = [{ op: 'add', path: '/spec/containers/-', value: { name: 'sidecar', image: sidecar } }];
          return { patchType: 'JSONPatch', patch: b64(JSON.stringify(patch)) };
        },
      });
      try {
        // Named after "portcullis", so the API server calls it second (configurations run in name order).
        expect((await admin.create('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
          metadata: { name: 'zz-sidecar-injector' },
          webhooks: [{
            name: 'inject.e2e.portcullis.dev',
            clientConfig: { url: `${injector.baseUrl}/inject`, caBundle: b64(ca.certPem) },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            objectSelector: { matchLabels: { 'e2e.portcullis.dev/inject': 'sidecar' } },
            sideEffects: 'None', failurePolicy: 'Fail', admissionReviewVersions: ['v1'], timeoutSeconds: 10,
          }],
        })).status).toBe(201);
        const labels = { 'e2e.portcullis.dev/inject': 'sidecar' };
        await waitFor('the injector to be active', async () => {
          const res = await admin.create<PodBody>('/api/v1/namespaces/apps/pods', pod('inject-warmup', [signed], { labels }), { dryRun: true });
          return res.body.spec.containers.length === 2 ? true : undefined;
        }, 30_000);

        const res = await admin.create('/api/v1/namespaces/apps/pods', pod('injected', [signed], { labels }));
        expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
        const stored = await admin.get<PodBody>('/api/v1/namespaces/apps/pods/injected');
        expect(stored.body.spec.containers.map((c) => [c.name, c.image])).toEqual([
          ['c0', `${signed}@${signedDigest}`],
          ['sidecar', `${sidecar}@${sidecarDigest}`],
        ]);
      } finally {
        await admin.request('DELETE', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/zz-sidecar-injector');
        await injector.stop();
      }
    }, 60_000);
  });

  describe('validation', () => {
    it('creates a Pod whose image is signed', async () => {
      const res = await admin.create('/api/v1/namespaces/apps/pods', pod('signed', [signed]));
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
    });

    it('rejects a Pod with an unsigned image, with Portcullis\' message naming that image', async () => {
      const res = await admin.create('/api/v1/namespaces/apps/pods', pod('unsigned', [unsigned]));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(messageOf(res)).toContain('admission webhook "verify.portcullis.dev" denied the request');
      expect(messageOf(res)).toContain(`image "${unsigned}`);
      expect((await admin.get('/api/v1/namespaces/apps/pods/unsigned')).status).toBe(404);
    });

    it('in a Namespace labelled portcullis.dev/mode=warn, creates the unsigned Pod and warns the client', async () => {
      const res = await admin.create('/api/v1/namespaces/relaxed/pods', pod('unsigned', [unsigned]));
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
      expect(res.warnings).toEqual(expect.arrayContaining([expect.stringContaining(`image "${unsigned}`)]));
    });

    it('in a Namespace that labels itself portcullis.dev/mode=audit without config allowing it, still denies the unsigned Pod', async () => {
      const res = await admin.create('/api/v1/namespaces/self-relaxed/pods', pod('unsigned', [unsigned]));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(messageOf(res)).toContain(`image "${unsigned}`);
    });
  });

  describe('a private registry', () => {
    // First, on a cold cache: once resolved with credentials, digests are cached for every scope.
    it('rejects the Pod under a ServiceAccount without the pull secret, naming the image', async () => {
      expect((await admin.create('/api/v1/namespaces/private/serviceaccounts', { metadata: { name: 'nobody' } })).status).toBe(201);
      const res = await admin.create('/api/v1/namespaces/private/pods', pod('private-nobody', [privateImage], { serviceAccountName: 'nobody' }));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(messageOf(res)).toContain(privateImage);
    });

    it('verifies with the credentials of the Pod\'s ServiceAccount imagePullSecrets', async () => {
      const dockerConfig = JSON.stringify({ auths: { [privateRegistry.host]: { auth: b64(`${PRIVATE_AUTH.username}:${PRIVATE_AUTH.password}`) } } });
      expect((await admin.create('/api/v1/namespaces/private/secrets', {
        metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(dockerConfig) },
      })).status).toBe(201);
      expect((await admin.create('/api/v1/namespaces/private/serviceaccounts', { metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'regcred' }] })).status).toBe(201);

      const res = await admin.create('/api/v1/namespaces/private/pods', pod('private', [privateImage], { serviceAccountName: 'builder' }));
      expect([res.status, messageOf(res)]).toEqual([201, expect.any(String)]);
      const stored = await admin.get<PodBody>('/api/v1/namespaces/private/pods/private');
      expect(stored.body.spec.containers[0]?.image).toBe(`${privateImage}@${privateDigest}`);
    });
  });

  describe('callers (the manifests\' mTLS and tls.allowedClientNames)', () => {
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: {
        uid: 'direct-1', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
        operation: 'CREATE', namespace: 'private', name: 'p', userInfo: { username: 'someone' },
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'puller', containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    const post = (client: { certPem: string; keyPem: string }) => httpsRequest(`${portcullis?.url}/validate`, {
      method: 'POST', body: review, ca: ca.certPem, cert: client.certPem, key: client.keyPem,
    });

    it('answers a review posted with the API server\'s own client certificate', async () => {
      expect((await post(cp.webhookClient)).status).toBe(200);
    }, 30_000);

    it('refuses with 403 a caller whose certificate the same CA signed but the allow-list does not name', async () => {
      const intruder = cp.webhookClientCa.issue({ commonName: 'system:node:worker-1', usage: 'client' });
      const r = await post(intruder);
      expect([r.status, r.json<{ code: string }>().code]).toEqual([403, 'CLIENT_NOT_ALLOWED']);
    }, 30_000);
  });

  it('goes through both webhooks on a dry-run create, with no side effect', async () => {
    const dry = await admin.create<PodBody>('/api/v1/namespaces/apps/pods', pod('dry', [signed]), { dryRun: true });
    expect(dry.status).toBe(201);
    // Mutated in the dry run's answer…
    expect(dry.body.spec.containers[0]?.image).toBe(`${signed}@${signedDigest}`);
    // …validated too (an unsigned image is refused on dry run as well)…
    const dryUnsigned = await admin.create('/api/v1/namespaces/apps/pods', pod('dry-unsigned', [unsigned]), { dryRun: true });
    expect(messageOf(dryUnsigned)).toContain('admission webhook "verify.portcullis.dev" denied the request');
    // …and nothing stored.
    expect((await admin.get('/api/v1/namespaces/apps/pods/dry')).status).toBe(404);
  });

  it('keeps admitting while the serving certificate is rotated three times: zero failed creations', async () => {
    const results: number[] = [];
    let rotating = true;
    const creator = (async () => {
      for (let i = 0; rotating || i < 5; i++) {
        const res = await admin.create('/api/v1/namespaces/apps/pods', pod(`rotation-${i}`, [signed]));
        results.push(res.status);
        if (i > 500) break;
      }
    })();
    try {
      for (let r = 0; r < 3; r++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const certPem = writeServingPair();
        await waitFor(`rotation ${r + 1} to be served`, () => (portcullis?.tls.current().cert.toString() === certPem ? true : undefined), 20_000);
      }
      // A few more creations on the last certificate.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      rotating = false;
      await creator;
    }
    expect(results.length).toBeGreaterThanOrEqual(5);
    expect(results.filter((s) => s !== 201)).toEqual([]);
  }, 120_000);

  it('with failurePolicy: Fail, rejects creations while Portcullis is stopped and admits them again after a restart', async () => {
    await portcullis?.close();
    portcullis = undefined;
    const down = await admin.create('/api/v1/namespaces/apps/pods', pod('while-down', [signed]));
    expect(down.status).toBeGreaterThanOrEqual(500);
    expect(messageOf(down)).toContain('failed calling webhook');
    expect((await admin.get('/api/v1/namespaces/apps/pods/while-down')).status).toBe(404);

    portcullis = await start();
    const up = await waitFor('creations to succeed again', async () => {
      const res = await admin.create('/api/v1/namespaces/apps/pods', pod('after-restart', [signed]));
      return res.status === 201 ? res : undefined;
    }, 30_000);
    expect(up.status).toBe(201);
  }, 90_000);
});
