/**
 * How `secret:` trust material values reach the verifiers: buildPorts resolves them through
 * the KubeReader (secretTrustSource) and refuses them, naming the field, without an API server.
 */
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { buildPorts, secretTrustSource } from '../../../src/compose-ports.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { buildVerifiers, closeVerifiers } from '../../../src/verifiers/index.js';
import { ANNOTATION_SIGNATURE } from '../../../src/verifiers/cosign/legacy/read-legacy-signatures.js';
import { TEST_DIGEST, cosignSign, tempDirWith, testKey, testSubject, verifyContext } from '../../helpers/cosign-test-fixtures.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';
import { legacySigArtifact, simpleSigningPayload } from '../../helpers/legacy-sig-artifact.js';
import { waitFor } from '../../helpers/wait-for.js';

const dir = tempDirWith({});

describe('secretTrustSource', () => {
  it('returns undefined for a plain path', () => {
    expect(secretTrustSource(createFakeKubeApi(), silentLogger())('certs/ca.pem', 'verifiers[0].key')).toBeUndefined();
  });

  it('returns a source over the named Secret key', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'portcullis-system', name: 'release-ca', type: 'Opaque', data: { 'ca.crt': 'A', 'other': 'B' } });
    const source = secretTrustSource(api, silentLogger())('secret:portcullis-system/release-ca/ca.crt', 'verifiers[0].trustStores.ca.release');
    expect(source?.id).toBe('secret:portcullis-system/release-ca');
    expect((await source!.load()).map((m) => m.origin)).toEqual(['secret:portcullis-system/release-ca/ca.crt']);
  });

  it('refuses a malformed reference, naming the field', () => {
    expect(() => secretTrustSource(createFakeKubeApi(), silentLogger())('secret:Bad_NS/x', 'verifiers[0].key')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', path: 'verifiers[0].key' }));
  });

  it('refuses a secret: value without a KubeReader, naming the field', () => {
    expect(() => secretTrustSource(undefined, silentLogger())('secret:portcullis-system/keys', 'verifiers[1].keys[0]'))
      .toThrow(expect.objectContaining({ name: 'ConfigError', code: 'INVALID_CONFIG', path: 'verifiers[1].keys[0]', message: expect.stringContaining('needs Kubernetes access') }));
  });

  it('lets buildVerifiers build a cosign verifier that follows the Secret', async () => {
    const alice = testKey('ecdsa-p256');
    const bob = testKey('ecdsa-p256');
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'portcullis-system', name: 'cosign-keys', type: 'Opaque', data: { 'cosign.pub': alice.publicPem } });
    const [v] = await buildVerifiers(
      [{ name: 'release', type: 'cosign', key: 'secret:portcullis-system/cosign-keys/cosign.pub', tlog: { required: false } }],
      { baseDir: dir, logger: silentLogger(), trustSource: secretTrustSource(api, silentLogger()) },
    );
    const payload = simpleSigningPayload(TEST_DIGEST);
    const byBob = legacySigArtifact([{ payload, annotations: { [ANNOTATION_SIGNATURE]: cosignSign(payload, bob.privateKey).toString('base64') } }]);
    try {
      expect((await v!.verify(testSubject(), byBob, verifyContext())).valid).toBe(false);
      api.setSecret({ namespace: 'portcullis-system', name: 'cosign-keys', type: 'Opaque', data: { 'cosign.pub': bob.publicPem } });
      await waitFor('the new key', async () => ((await v!.verify(testSubject(), byBob, verifyContext())).valid ? true : undefined), 5_000, 10);
    } finally {
      await closeVerifiers([v!]);
    }
    expect(api.activeWatches()).toBe(0);
  });
});

describe('buildPorts', () => {
  it('refuses a secret: value when no API server is configured, naming the field', async () => {
    const config = parseConfig(
      { policy: { bundle: null }, verifiers: [{ name: 'release', type: 'cosign', key: 'secret:portcullis-system/cosign-keys/cosign.pub', tlog: { required: false } }] },
      { baseDir: dir, file: null },
    );
    const err = await buildPorts(config, { logger: silentLogger(), metrics: createMetrics(new Registry()), kubeConfig: null }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', code: 'INVALID_CONFIG', path: 'verifiers[0].key' });
    expect((err as Error).message).toContain('needs Kubernetes access');
  });
});
