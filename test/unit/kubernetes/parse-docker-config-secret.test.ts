import { describe, expect, it } from '@jest/globals';
import { parseDockerConfigSecret } from '../../../src/kubernetes/parse-docker-config-secret.js';
import type { KubeSecret } from '../../../src/kubernetes/kube-reader.js';

function secret(type: string, data: Record<string, string>): KubeSecret {
  const bytes: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(data)) bytes[k] = Buffer.from(v);
  return { namespace: 'team', name: 'pull', resourceVersion: '1', type, data: bytes };
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('parseDockerConfigSecret', () => {
  describe('with a kubernetes.io/dockerconfigjson Secret', () => {
    it('reads every kind of auths entry in file order', () => {
      const config = {
        auths: {
          'registry.example.com': { auth: b64('alice:s3:cret') },
          'ghcr.io': { username: 'bob', password: 'pw' },
          'https://index.docker.io/v1/': { identitytoken: 'refresh' },
          'quay.io': { registrytoken: 'bearer-token' },
          'empty.example.com': {},
        },
      };
      expect(parseDockerConfigSecret(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': JSON.stringify(config) }))).toEqual([
        { key: 'registry.example.com', credential: { kind: 'basic', username: 'alice', password: 's3:cret' } },
        { key: 'ghcr.io', credential: { kind: 'basic', username: 'bob', password: 'pw' } },
        { key: 'https://index.docker.io/v1/', credential: { kind: 'identityToken', token: 'refresh' } },
        { key: 'quay.io', credential: { kind: 'bearer', token: 'bearer-token' } },
      ]);
    });

    it('refuses content that is not JSON without echoing it', () => {
      const s = secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{"auths": hunter2' });
      expect(() => parseDockerConfigSecret(s)).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
      try { parseDockerConfigSecret(s); } catch (err) { expect((err as Error).message).not.toContain('hunter2'); }
    });

    it('refuses a config without an auths object', () => {
      const s = secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': JSON.stringify({ auths: [] }) });
      expect(() => parseDockerConfigSecret(s)).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
    });

    it('refuses a Secret without its .dockerconfigjson key', () => {
      expect(() => parseDockerConfigSecret(secret('kubernetes.io/dockerconfigjson', {}))).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
    });
  });

  describe('with a legacy kubernetes.io/dockercfg Secret', () => {
    it('reads the unwrapped host map', () => {
      const s = secret('kubernetes.io/dockercfg', { '.dockercfg': JSON.stringify({ 'r.example.com:5000': { auth: b64('u:p'), email: 'x@y' } }) });
      expect(parseDockerConfigSecret(s)).toEqual([{ key: 'r.example.com:5000', credential: { kind: 'basic', username: 'u', password: 'p' } }]);
    });
  });

  describe('with a Secret of another type', () => {
    it('yields no credentials, like the kubelet', () => {
      expect(parseDockerConfigSecret(secret('Opaque', { '.dockerconfigjson': '{"auths":{"a":{"auth":"dTpw"}}}' }))).toEqual([]);
    });
  });
});
