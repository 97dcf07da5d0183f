import { describe, expect, it } from '@jest/globals';
import { createProcessCache } from '../../../src/cache/process-cache.js';
import { scopeResultsCache, verifierFingerprint } from '../../../src/cache/scope-results-cache.js';
import { ENTRY_OVERHEAD_BYTES } from '../../../src/cache/cache-limits.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';

const memory = { type: 'memory' as const };

describe('createProcessCache', () => {
  it('gives every generation the same cache: what one wrote, the next reads after the first closed', async () => {
    const process = createProcessCache();
    const first = await process.acquire(memory);
    await first.set('digest', 'app:1', 'sha256:a');
    const second = await process.acquire({ ...memory, maxBytes: 32 * 1024 * 1024 });
    await first.close();
    expect(await second.get('digest', 'app:1')).toBe('sha256:a');
    expect(process.open()).toBe(1);
    await second.close();
    // The last generation's close gives its handle back; the cache stays for the next one.
    const third = await process.acquire(memory);
    expect(await third.get('digest', 'app:1')).toBe('sha256:a');
    await process.close();
    expect(process.open()).toBe(0);
  });

  it('is resized by the newest config: a smaller maxBytes keeps the most recent entries', async () => {
    const process = createProcessCache();
    const value = 'x'.repeat(1000);
    const entry = 1000 + 2 + 'digest\0k0'.length + ENTRY_OVERHEAD_BYTES;
    const first = await process.acquire({ ...memory, maxBytes: entry * 10 });
    for (let i = 0; i < 10; i++) await first.set('digest', `k${i}`, value);
    const second = await process.acquire({ ...memory, maxBytes: entry * 3 });
    const kept = [];
    for (let i = 0; i < 10; i++) if (await second.get('digest', `k${i}`)) kept.push(i);
    expect(kept).toEqual([7, 8, 9]);
    await process.close();
  });

  it('a newer TTL applies to the entries already held, and a kind turned off is emptied', async () => {
    const process = createProcessCache();
    const first = await process.acquire({ ...memory, ttlSeconds: { digest: 3600, manifest: 3600 } });
    await first.set('digest', 'k', 'v');
    await first.set('manifest', 'k', 'm');
    const second = await process.acquire({ ...memory, ttlSeconds: { digest: 0, manifest: 3600 } });
    expect(await second.get('digest', 'k')).toBeUndefined();
    expect(await second.get('manifest', 'k')).toBe('m');
    await process.close();
  });

  it('a cache.type change builds a new cache and closes the old one once its generations have closed', async () => {
    const process = createProcessCache();
    const first = await process.acquire(memory);
    // A Redis cache without hmacKeys is refused: the running cache is left as it was.
    await expect(process.acquire({ type: 'redis', redis: { url: 'redis://127.0.0.1:1' } })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await first.set('digest', 'k', 'v');
    expect(await first.get('digest', 'k')).toBe('v');
    expect(process.open()).toBe(1);
    await process.close();
  });
});

describe('scopeResultsCache', () => {
  it('results written under one verifier config are not read under another; other kinds are shared', async () => {
    const shared = createMemoryCache();
    const before = scopeResultsCache(shared, verifierFingerprint([{ name: 'sig', trustedIdentities: ['CN=release'] }]));
    const same = scopeResultsCache(shared, verifierFingerprint([{ trustedIdentities: ['CN=release'], name: 'sig' }]));
    const after = scopeResultsCache(shared, verifierFingerprint([{ name: 'sig', trustedIdentities: [] }]));
    await before.set('results', 'img|ref|sig', { valid: true });
    await before.set('digest', 'img:1', 'sha256:a');
    expect(await same.get('results', 'img|ref|sig')).toEqual({ valid: true });
    expect(await after.get('results', 'img|ref|sig')).toBeUndefined();
    expect(await after.get('digest', 'img:1')).toBe('sha256:a');
  });
});
