import { describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { cacheTtls, DEFAULT_CACHE_TTLS } from '../../../src/cache/cache-ttls.js';
import { ENTRY_OVERHEAD_BYTES } from '../../../src/cache/cache-limits.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createMemoryCache', () => {
  it('returns what was stored, per kind', async () => {
    const c = createMemoryCache();
    await c.set('digest', 'k', { d: 1 });
    expect(await c.get('digest', 'k')).toEqual({ d: 1 });
    expect(await c.get('referrers', 'k')).toBeUndefined();
  });

  it('expires entries after their kind\'s TTL', async () => {
    const c = createMemoryCache({ ttlSeconds: { digest: 0.05, referrers: 60 } });
    await c.set('digest', 'k', 'v');
    await c.set('referrers', 'k', 'v');
    await sleep(120);
    expect(await c.get('digest', 'k')).toBeUndefined();
    expect(await c.get('referrers', 'k')).toBe('v');
  });

  it('lets a per-entry TTL shorten the kind\'s TTL', async () => {
    const c = createMemoryCache({ ttlSeconds: { token: 3600 } });
    await c.set('token', 'k', 't', 0.05);
    expect(c.remainingTtl('token', 'k')).toBeLessThanOrEqual(50);
    await sleep(120);
    expect(await c.get('token', 'k')).toBeUndefined();
  });

  it('never lets a per-entry TTL lengthen the kind\'s TTL', async () => {
    const c = createMemoryCache({ ttlSeconds: { results: 0.05 } });
    await c.set('results', 'k', 'r', 3600);
    expect(c.remainingTtl('results', 'k')).toBeLessThanOrEqual(50);
  });

  it('does not cache a kind whose TTL is 0', async () => {
    const c = createMemoryCache({ ttlSeconds: { negative: 0 } });
    await c.set('negative', 'k', 'v');
    expect(await c.get('negative', 'k')).toBeUndefined();
  });

  it('is bounded, evicting the least recently used entry', async () => {
    const c = createMemoryCache({ maxEntries: 2 });
    await c.set('digest', 'a', 1);
    await c.set('digest', 'b', 2);
    await c.get('digest', 'a');
    await c.set('digest', 'c', 3);
    expect(await c.get('digest', 'b')).toBeUndefined();
    expect(await c.get('digest', 'a')).toBe(1);
  });

  it('counts hits and misses', async () => {
    const metrics = createMetrics(undefined, { defaults: false });
    const c = createMemoryCache({ metrics });
    await c.set('digest', 'a', 1);
    await c.get('digest', 'a');
    await c.get('digest', 'b');
    const text = await metrics.registry.metrics();
    expect(text).toContain('portcullis_cache_requests_total{kind="digest",result="hit"} 1');
    expect(text).toContain('portcullis_cache_requests_total{kind="digest",result="miss"} 1');
  });
});

describe('cacheTtls', () => {
  it('applies configured TTLs over the defaults', () => {
    expect(cacheTtls({ digest: 5, results: 7 })).toEqual({ ...DEFAULT_CACHE_TTLS, digest: 5, results: 7 });
  });
  it('ignores negative or non-numeric values', () => {
    expect(cacheTtls({ digest: -1 })).toEqual(DEFAULT_CACHE_TTLS);
  });
});

describe('createMemoryCache bounds by bytes', () => {
  const manifest = (i: number, bytes: number) => ({ b64: Buffer.alloc(bytes, i % 251).toString('base64') });

  it('stays under maxBytes when filled with large referrer manifests, evicting the oldest', async () => {
    const maxBytes = 2 * 1024 * 1024;
    const c = createMemoryCache({ maxBytes, maxEntryBytes: 1024 * 1024 });
    let max = 0;
    for (let i = 0; i < 200; i++) {
      await c.set('manifest', `reg/app@sha256:${i}`, manifest(i, 300 * 1024));
      max = Math.max(max, c.bytes());
    }
    expect(max).toBeLessThanOrEqual(maxBytes);
    // 400 KiB of base64 each: about five fit; the newest is kept, the first long gone.
    expect(c.bytes()).toBeGreaterThan(maxBytes / 2);
    expect(await c.get('manifest', 'reg/app@sha256:199')).toEqual(manifest(199, 300 * 1024));
    expect(await c.get('manifest', 'reg/app@sha256:0')).toBeUndefined();
  });

  it('does not keep an entry over maxEntryBytes, and drops the older value under its key', async () => {
    const c = createMemoryCache({ maxEntryBytes: 64 * 1024 });
    await c.set('referrers', 'k', [{ digest: 'sha256:small' }]);
    await c.set('referrers', 'k', [manifest(1, 4 * 1024 * 1024)]);
    expect(await c.get('referrers', 'k')).toBeUndefined();
    expect(c.bytes()).toBe(0);
  });

  it('charges each entry its JSON length, its key and a fixed overhead', async () => {
    const c = createMemoryCache();
    await c.set('digest', 'k', { digest: 'sha256:x' });
    expect(c.bytes()).toBe(JSON.stringify({ digest: 'sha256:x' }).length + 'digest\0k'.length + ENTRY_OVERHEAD_BYTES);
  });

  it('does not cache a value that cannot be serialised', async () => {
    const c = createMemoryCache();
    await c.set('digest', 'k', { n: 1n });
    expect(await c.get('digest', 'k')).toBeUndefined();
  });
});
