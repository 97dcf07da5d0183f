import { describe, expect, it } from '@jest/globals';
import { createRegistryAccess } from '../../../src/cache/create-registry-access.js';
import { defaultConfig } from '../../../src/config/index.js';

describe('createRegistryAccess', () => {
  it('builds a cached client from the checked config sections as they are', async () => {
    const config = defaultConfig();
    const access = await createRegistryAccess({ registries: config.registries, cache: config.cache });
    try {
      expect(typeof access.client.withCredentialScope).toBe('function');
      await access.cache.set('digest', 'k', 1);
      expect(await access.cache.get('digest', 'k')).toBe(1);
    } finally { await access.close(); }
  });
});
