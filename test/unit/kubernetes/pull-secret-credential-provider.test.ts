import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger, silentLogger } from '../../../src/observability/logger.js';
import { createPullSecretCredentialProvider } from '../../../src/kubernetes/pull-secret-credential-provider.js';
import { createFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';

const signal = (): AbortSignal => new AbortController().signal;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function pullSecret(api: FakeKubeApi, namespace: string, name: string, auths: Record<string, unknown>): void {
  api.setSecret({ namespace, name, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths }) } });
}

describe('createPullSecretCredentialProvider', () => {
  describe('when the Pod lists imagePullSecrets', () => {
    it('returns the credential of the first Secret with an entry for the registry', async () => {
      const api = createFakeKubeApi();
      pullSecret(api, 'team', 'other', { 'quay.io': { auth: b64('q:q') } });
      pullSecret(api, 'team', 'mine', { 'registry.example.com:5000': { auth: b64('alice:pw') } });
      const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
      await expect(provider.credentialsFor('registry.example.com:5000', { namespace: 'team', imagePullSecrets: ['other', 'mine'] }, signal()))
        .resolves.toEqual({ kind: 'basic', username: 'alice', password: 'pw' });
      expect(api.reads).toEqual(['secret team/other', 'secret team/mine']);
    });
  });

  describe('when only the ServiceAccount has imagePullSecrets', () => {
    it('reads the Pod\'s ServiceAccount and then its Secrets', async () => {
      const api = createFakeKubeApi();
      api.setServiceAccount('team', 'builder', ['sa-pull']);
      pullSecret(api, 'team', 'sa-pull', { 'ghcr.io': { username: 'bob', password: 'pw' } });
      const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
      await expect(provider.credentialsFor('ghcr.io', { namespace: 'team', serviceAccountName: 'builder', imagePullSecrets: [] }, signal()))
        .resolves.toEqual({ kind: 'basic', username: 'bob', password: 'pw' });
      expect(api.reads).toEqual(['serviceaccount team/builder', 'secret team/sa-pull']);
    });

    it('uses the `default` ServiceAccount when the Pod names none', async () => {
      const api = createFakeKubeApi();
      api.setServiceAccount('team', 'default', ['sa-pull']);
      pullSecret(api, 'team', 'sa-pull', { 'ghcr.io': { registrytoken: 't' } });
      const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
      await expect(provider.credentialsFor('ghcr.io', { namespace: 'team' }, signal())).resolves.toEqual({ kind: 'bearer', token: 't' });
    });
  });

  describe('when nothing matches', () => {
    it('returns undefined, skipping missing Secrets and ServiceAccounts like the kubelet', async () => {
      const api = createFakeKubeApi();
      pullSecret(api, 'team', 'mine', { 'quay.io': { auth: b64('u:p') } });
      const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
      await expect(provider.credentialsFor('ghcr.io', { namespace: 'team', imagePullSecrets: ['gone', 'mine'] }, signal())).resolves.toBeUndefined();
    });

    it('returns undefined without any read when the scope has no namespace', async () => {
      const api = createFakeKubeApi();
      const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
      await expect(provider.credentialsFor('ghcr.io', { imagePullSecrets: ['x'] }, signal())).resolves.toBeUndefined();
      expect(api.reads).toEqual([]);
    });
  });

  it('caches reads briefly: a burst of lookups costs one read per object', async () => {
    const api = createFakeKubeApi();
    api.setServiceAccount('team', 'default', ['sa-pull']);
    pullSecret(api, 'team', 'sa-pull', { 'ghcr.io': { auth: b64('u:p') } });
    const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
    await Promise.all(Array.from({ length: 5 }, () => provider.credentialsFor('ghcr.io', { namespace: 'team' }, signal())));
    await provider.credentialsFor('ghcr.io', { namespace: 'team' }, signal());
    expect(api.reads).toEqual(['serviceaccount team/default', 'secret team/sa-pull']);
  });

  it('skips a malformed Secret and logs its name but never its content', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'team', name: 'broken', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': '{"auths": {"ghcr.io": hunter2' } });
    pullSecret(api, 'team', 'good', { 'ghcr.io': { username: 'u', password: 'supersecret' } });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } }) });
    const provider = createPullSecretCredentialProvider({ reader: api, logger });
    await expect(provider.credentialsFor('ghcr.io', { namespace: 'team', imagePullSecrets: ['broken', 'good'] }, signal()))
      .resolves.toEqual({ kind: 'basic', username: 'u', password: 'supersecret' });
    const log = lines.join('');
    expect(log).toContain('team/broken');
    expect(log).toContain('INVALID_SECRET');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('supersecret');
  });

  it('rejects with the API error when a read fails (e.g. RBAC forbids it)', async () => {
    const api = createFakeKubeApi();
    api.failNext('FORBIDDEN');
    const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger() });
    await expect(provider.credentialsFor('ghcr.io', { namespace: 'team', imagePullSecrets: ['x'] }, signal())).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('gives up when the caller\'s signal aborts', async () => {
    const api = createFakeKubeApi();
    api.hang(true);
    const provider = createPullSecretCredentialProvider({ reader: api, logger: silentLogger(), loadTimeoutMs: 5_000 });
    const controller = new AbortController();
    const p = provider.credentialsFor('ghcr.io', { namespace: 'team', imagePullSecrets: ['x'] }, controller.signal);
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
