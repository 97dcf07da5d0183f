/**
 * The Kubernetes-backed features against a real kube-apiserver, read as Portcullis' own
 * identity (the manifests' ServiceAccount, so the manifests' RBAC is what allows the reads).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '../../src/observability/logger.js';
import { createKubeReader } from '../../src/kubernetes/create-kube-reader.js';
import type { KubeReader } from '../../src/kubernetes/kube-reader.js';
import { createNamespaceModeSource } from '../../src/kubernetes/namespace-mode-source.js';
import { createPullSecretCredentialProvider } from '../../src/kubernetes/pull-secret-credential-provider.js';
import { createSecretTrustMaterialSource } from '../../src/kubernetes/secret-trust-material-source.js';
import { applyManifests } from '../helpers/apply-manifests.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { createKubeClient, type KubeClient } from '../helpers/kube-client.js';
import { loadManifests } from '../helpers/load-manifests.js';
import { waitFor } from '../helpers/wait-for.js';

const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('Kubernetes-backed features against a real API server', () => {
  let cp: ControlPlane;
  let admin: KubeClient;
  let reader: KubeReader;

  beforeAll(async () => {
    cp = await startControlPlane();
    // Namespace, ServiceAccount and RBAC; no webhooks (nothing here is admitted by Portcullis).
    await applyManifests(cp.kubeConfig, loadManifests().map((m) => m.object).filter((o) => !o.kind.endsWith('WebhookConfiguration')));
    admin = createKubeClient(cp.kubeConfig);
    reader = createKubeReader({ kubeConfig: cp.portcullisKubeConfig, logger: silentLogger() });
    expect((await admin.create('/api/v1/namespaces', { metadata: { name: 'team', labels: { 'portcullis.dev/mode': 'warn' } } })).status).toBe(201);
  }, 180_000);

  afterAll(async () => { await cp?.stop(); }, 60_000);

  describe('createKubeReader', () => {
    it('reads a Namespace with its labels, and undefined for a missing one', async () => {
      const ns = await reader.readNamespace('team', signal());
      expect(ns?.labels).toMatchObject({ 'portcullis.dev/mode': 'warn', 'kubernetes.io/metadata.name': 'team' });
      await expect(reader.readNamespace('nope', signal())).resolves.toBeUndefined();
    });

    it('fails with UNAUTHORIZED when the API server refuses the credentials', async () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'e2e', server: cp.url, caData: b64(cp.caPem) }],
        users: [{ name: 'nobody', token: 'not-a-valid-token' }],
        contexts: [{ name: 'e2e', cluster: 'e2e', user: 'nobody' }],
        currentContext: 'e2e',
      });
      await expect(createKubeReader({ kubeConfig: kc, logger: silentLogger() }).readNamespace('team', signal())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('fails with ABORTED when the caller aborts', async () => {
      await expect(reader.readNamespace('team', AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORTED' });
    });
  });

  describe('createNamespaceModeSource', () => {
    it('returns the portcullis.dev/mode label of the Namespace', async () => {
      await expect(createNamespaceModeSource({ reader, logger: silentLogger() }).modeFor('team', signal())).resolves.toBe('warn');
      await expect(createNamespaceModeSource({ reader, logger: silentLogger() }).modeFor('default', signal())).resolves.toBeUndefined();
    });
  });

  describe('createPullSecretCredentialProvider', () => {
    it('finds the credentials of the ServiceAccount\'s imagePullSecrets', async () => {
      const config = JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('alice:wonderland') } } });
      expect((await admin.create('/api/v1/namespaces/team/secrets', {
        metadata: { name: 'private-pull' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(config) },
      })).status).toBe(201);
      expect((await admin.create('/api/v1/namespaces/team/serviceaccounts', { metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'private-pull' }] })).status).toBe(201);
      const provider = createPullSecretCredentialProvider({ reader, logger: silentLogger() });
      await expect(provider.credentialsFor('127.0.0.1:5000', { namespace: 'team', serviceAccountName: 'builder', imagePullSecrets: [] }, signal()))
        .resolves.toEqual({ kind: 'basic', username: 'alice', password: 'wonderland' });
      await expect(provider.credentialsFor('127.0.0.1:5001', { namespace: 'team', serviceAccountName: 'builder', imagePullSecrets: [] }, signal()))
        .resolves.toBeUndefined();
    });
  });

  describe('createSecretTrustMaterialSource', () => {
    it('loads the Secret and calls onChange when it is updated and when it is deleted', async () => {
      const path = '/api/v1/namespaces/portcullis-system/secrets';
      expect((await admin.create(path, { metadata: { name: 'release-ca' }, data: { 'ca.pem': b64('v1') } })).status).toBe(201);
      const source = createSecretTrustMaterialSource({ reader, logger: silentLogger(), namespace: 'portcullis-system', name: 'release-ca' });
      expect((await source.load()).map((m) => [m.origin, Buffer.from(m.bytes).toString()])).toEqual([['secret:portcullis-system/release-ca/ca.pem', 'v1']]);

      let changes = 0;
      const stop = source.watch(() => { changes += 1; });
      try {
        // Let the watch establish (its first list reports the state load() already saw: no change).
        await new Promise((r) => setTimeout(r, 1_000));
        expect(changes).toBe(0);
        const update = await admin.request('PUT', `${path}/release-ca`, { metadata: { name: 'release-ca' }, data: { 'ca.pem': b64('v2') } });
        expect(update.status).toBe(200);
        await waitFor('the update to be noticed', () => (changes >= 1 ? true : undefined), 20_000);
        expect(Buffer.from((await source.load())[0]?.bytes ?? []).toString()).toBe('v2');
        expect((await admin.request('DELETE', `${path}/release-ca`)).status).toBe(200);
        await waitFor('the deletion to be noticed', () => (changes >= 2 ? true : undefined), 20_000);
        await expect(source.load()).rejects.toMatchObject({ code: 'NOT_FOUND' });
      } finally {
        stop();
      }
    }, 60_000);
  });
});
