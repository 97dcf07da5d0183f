/**
 * The e2e harness on its own (no Portcullis): a real etcd + kube-apiserver, the kustomize base
 * applied server-side, and a stand-in webhook that requires the API server's client
 * certificate, so the mTLS path the real tests rely on is proven independently.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyManifests, manifestsForTarget } from '../helpers/apply-manifests.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient } from '../helpers/kube-client.js';
import { createTestCa } from '../helpers/test-ca.js';
import { waitFor } from '../helpers/wait-for.js';
import { startWebhookRecorder, type WebhookRecorder } from '../helpers/webhook-recorder.js';

const pod = (name: string): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'app', image: '127.0.0.1:5999/team/app:1.0' }] },
});

describe('the e2e control plane harness', () => {
  let cp: ControlPlane;
  let recorder: WebhookRecorder;
  let admin: KubeClient;

  beforeAll(async () => {
    cp = await startControlPlane();
    const ca = createTestCa('harness-webhook-ca');
    const serving = ca.issue({ commonName: 'portcullis', usage: 'server', ipAddresses: ['127.0.0.1'] });
    recorder = await startWebhookRecorder({ ...serving, clientCaPem: cp.webhookClientCaPem });
    await applyManifests(cp.kubeConfig, manifestsForTarget({ baseUrl: recorder.baseUrl, caPem: ca.certPem }));
    admin = createKubeClient(cp.kubeConfig);
    // The API server picks new webhook configurations up asynchronously.
    await waitFor('webhooks to be called', async () => {
      await admin.create('/api/v1/namespaces/default/pods', pod('warmup'), { dryRun: true });
      return recorder.reviews.length > 0 ? true : undefined;
    }, 30_000);
  }, 180_000);

  afterAll(async () => {
    await recorder?.stop();
    await cp?.stop();
  }, 60_000);

  it('stores every object of the kustomize base (read back)', async () => {
    const deployment = await admin.get<{ spec: { replicas: number } }>('/apis/apps/v1/namespaces/portcullis-system/deployments/portcullis');
    expect(deployment.status).toBe(200);
    expect(deployment.body.spec.replicas).toBe(2);
    const mutating = await admin.get<{ webhooks: { clientConfig: { url: string }; reinvocationPolicy: string }[] }>('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/portcullis');
    expect(mutating.body.webhooks[0]).toMatchObject({ clientConfig: { url: `${recorder.baseUrl}/mutate` }, reinvocationPolicy: 'IfNeeded' });
    for (const path of [
      '/api/v1/namespaces/portcullis-system/serviceaccounts/portcullis',
      '/api/v1/namespaces/portcullis-system/configmaps/portcullis-config',
      '/api/v1/namespaces/portcullis-system/secrets/portcullis-tls',
      '/api/v1/namespaces/portcullis-system/services/portcullis',
      '/apis/policy/v1/namespaces/portcullis-system/poddisruptionbudgets/portcullis',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/portcullis',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/portcullis',
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/portcullis',
    ]) expect([path, (await admin.get(path)).status]).toEqual([path, 200]);
  });

  it('calls both webhooks over mTLS, presenting the API server\'s client certificate', async () => {
    const before = recorder.reviews.length;
    const res = await admin.create('/api/v1/namespaces/default/pods', pod('mtls'));
    expect(res.status).toBe(201);
    const calls = recorder.reviews.slice(before).filter((r) => r.review.request?.kind.kind === 'Pod');
    expect(calls.map((c) => c.path).sort()).toEqual(['/mutate', '/validate']);
    expect(new Set(calls.map((c) => c.clientCommonName))).toEqual(new Set(['portcullis-client']));
  });

  it('never calls the webhooks for kube-system (namespaceSelector)', async () => {
    const before = recorder.reviews.length;
    expect((await admin.create('/api/v1/namespaces/kube-system/pods', pod('system'))).status).toBe(201);
    expect(recorder.reviews.slice(before)).toEqual([]);
  });

  it('sends a dry-run create to both webhooks and stores nothing', async () => {
    const before = recorder.reviews.length;
    const res = await admin.create('/api/v1/namespaces/default/pods', pod('dry'), { dryRun: true });
    expect(res.status).toBe(201);
    const calls = recorder.reviews.slice(before);
    expect(calls.map((c) => [c.path, c.review.request?.dryRun])).toEqual([['/mutate', true], ['/validate', true]]);
    expect((await admin.get('/api/v1/namespaces/default/pods/dry')).status).toBe(404);
  });

  it('lets Portcullis\' identity read Secrets, ServiceAccounts, Namespaces and (for the audit) workloads, and write nothing but PolicyReports (manifests\' RBAC)', async () => {
    const portcullis = createKubeClient(cp.portcullisKubeConfig);
    expect((await portcullis.get('/api/v1/namespaces/default')).status).toBe(200);
    expect((await portcullis.get('/api/v1/namespaces/default/serviceaccounts')).status).toBe(200);
    expect((await portcullis.get('/api/v1/secrets')).status).toBe(200);
    // manifests/audit-rbac.yaml: the audit of running workloads lists Pods and pod-template owners.
    expect((await portcullis.get('/api/v1/namespaces/default/pods')).status).toBe(200);
    expect((await portcullis.get('/api/v1/namespaces/default/configmaps')).status).toBe(403);
    expect((await portcullis.create('/api/v1/namespaces/default/secrets', { metadata: { name: 'x' } })).status).toBe(403);
    expect((await portcullis.create('/api/v1/namespaces/default/pods', pod('from-portcullis'))).status).toBe(403);
  });
});
