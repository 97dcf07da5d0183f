import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../src/observability/logger.js';
import { createSecretTrustMaterialSource } from '../../../src/kubernetes/secret-trust-material-source.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('createSecretTrustMaterialSource', () => {
  it('loads every key, sorted, with its origin', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'portcullis-system', name: 'trust', type: 'Opaque', data: { 'b.pem': 'B', 'a.pem': 'A' } });
    const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'portcullis-system', name: 'trust' });
    expect(source.id).toBe('secret:portcullis-system/trust');
    const material = await source.load();
    expect(material.map((m) => [m.origin, Buffer.from(m.bytes).toString()])).toEqual([
      ['secret:portcullis-system/trust/a.pem', 'A'],
      ['secret:portcullis-system/trust/b.pem', 'B'],
    ]);
  });

  it('loads only the configured keys, in order', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'ns', name: 'keys', type: 'Opaque', data: { 'cosign.pub': 'K', 'other': 'O' } });
    const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'ns', name: 'keys', keys: ['cosign.pub'] });
    expect((await source.load()).map((m) => m.origin)).toEqual(['secret:ns/keys/cosign.pub']);
  });

  it('fails with NOT_FOUND when the Secret does not exist', async () => {
    const source = createSecretTrustMaterialSource({ reader: createFakeKubeApi(), logger: silentLogger(), namespace: 'ns', name: 'nope' });
    await expect(source.load()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fails with SECRET_KEY_MISSING when a configured key is absent', async () => {
    const api = createFakeKubeApi();
    api.setSecret({ namespace: 'ns', name: 'keys', type: 'Opaque', data: { other: 'O' } });
    const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'ns', name: 'keys', keys: ['ca.pem'] });
    await expect(source.load()).rejects.toMatchObject({ code: 'SECRET_KEY_MISSING' });
  });

  describe('watch', () => {
    it('calls onChange once per change after the initial state, including deletion', async () => {
      const api = createFakeKubeApi();
      api.setSecret({ namespace: 'ns', name: 'trust', type: 'Opaque', data: { 'ca.pem': 'v1' } });
      const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'ns', name: 'trust' });
      await source.load();
      let changes = 0;
      const stop = source.watch(() => { changes += 1; });
      await tick();
      expect(changes).toBe(0);
      api.setSecret({ namespace: 'ns', name: 'trust', type: 'Opaque', data: { 'ca.pem': 'v2' } });
      expect(changes).toBe(1);
      expect(Buffer.from((await source.load())[0]?.bytes ?? []).toString()).toBe('v2');
      api.deleteSecret('ns', 'trust');
      expect(changes).toBe(2);
      stop();
      api.setSecret({ namespace: 'ns', name: 'trust', type: 'Opaque', data: { 'ca.pem': 'v3' } });
      expect(changes).toBe(2);
    });

    it('notices a change made between load() and the start of the watch', async () => {
      const api = createFakeKubeApi();
      api.setSecret({ namespace: 'ns', name: 'trust', type: 'Opaque', data: { 'ca.pem': 'v1' } });
      const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'ns', name: 'trust' });
      await source.load();
      api.setSecret({ namespace: 'ns', name: 'trust', type: 'Opaque', data: { 'ca.pem': 'v2' } });
      let changes = 0;
      source.watch(() => { changes += 1; });
      await tick();
      expect(changes).toBe(1);
    });

    it('shares one API watch between subscribers and stops it after the last unsubscribes', async () => {
      const api = createFakeKubeApi();
      const source = createSecretTrustMaterialSource({ reader: api, logger: silentLogger(), namespace: 'ns', name: 'trust' });
      const a = source.watch(() => undefined);
      const b = source.watch(() => undefined);
      expect(api.activeWatches()).toBe(1);
      a();
      expect(api.activeWatches()).toBe(1);
      b();
      expect(api.activeWatches()).toBe(0);
    });
  });
});
