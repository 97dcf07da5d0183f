import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertSet } from '../../../src/certs/index.js';
import { createCacheHmacKeys, type CacheHmacKeys } from '../../helpers/cache-hmac-keys.js';
import { loadedPackages } from '../../helpers/loaded-packages.js';
import { startRedisServer, type RunningRedis } from '../../helpers/redis-server.js';

// Issue 15 "RSS at ready": what a config does not use is not imported (bench/memory-startup.ts
// prints what each costs). Checked on the real module loader of a child process, not a mock.
const LAZY = ['@kubernetes/client-node', 'redis', '@sigstore/verify', '@sigstore/bundle', 'ajv', 'node-forge'];
const NOTARY = 'application/vnd.cncf.notary.signature';

describe('dependencies a config does not use are not loaded (src/compose-ports.ts, src/verifiers/index.ts)', () => {
  let work: string;
  let redis: RunningRedis;
  let keys: CacheHmacKeys;
  const env = (home: string): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: home });
  const notation = () => ({
    name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
    trustStores: { ca: { release: [join(work, 'ca.pem')] } },
    trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'portcullis-lazy-'));
    writeFileSync(join(work, 'ca.pem'), generateCertSet().ca.certPem);
    writeFileSync(join(work, 'cosign.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    // A kubeconfig whose API server is never reached: loading it is what is under test.
    writeFileSync(join(work, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters: [{name: t, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: t, user: {token: "not-a-token"}}]',
      'contexts: [{name: t, context: {cluster: t, user: t}}]', '',
    ].join('\n'));
    redis = await startRedisServer();
    keys = createCacheHmacKeys();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    keys?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('a Notation-only config on the memory cache, with no API server, loads none of them', async () => {
    const loaded = await loadedPackages({ cache: { type: 'memory' }, verifiers: [notation()] }, env(work));
    expect(loaded).toContain('@open-policy-agent/opa-wasm');
    expect(loaded).toContain('undici');
    expect(LAZY.filter((p) => loaded.includes(p))).toEqual([]);
  }, 180_000);

  it('a config that uses them (cosign, vulnerabilityreport, Redis, a kubeconfig) loads each', async () => {
    const loaded = await loadedPackages({
      cache: { type: 'redis', redis: { url: redis.url, hmacKeys: [keys.write('k1')] } },
      verifiers: [
        notation(),
        { name: 'cosign', type: 'cosign', key: join(work, 'cosign.pub'), tlog: { required: false } },
        { name: 'scan', type: 'vulnerabilityreport' },
      ],
    }, { ...env(work), KUBECONFIG: join(work, 'kubeconfig') });
    expect(LAZY.filter((p) => !loaded.includes(p))).toEqual(['node-forge']);
  }, 180_000);
});
