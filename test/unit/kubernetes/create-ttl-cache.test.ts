import { describe, expect, it, jest } from '@jest/globals';
import { createTtlCache } from '../../../src/kubernetes/create-ttl-cache.js';

describe('createTtlCache', () => {
  it('shares one in-flight load between concurrent callers and reuses the value', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, loadTimeoutMs: 1_000 });
    const load = jest.fn(async () => { await new Promise((r) => setTimeout(r, 10)); return 'v'; });
    const signal = new AbortController().signal;
    await expect(Promise.all([cache.get('k', load, signal), cache.get('k', load, signal)])).resolves.toEqual(['v', 'v']);
    await expect(cache.get('k', load, signal)).resolves.toBe('v');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not cache failures', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, loadTimeoutMs: 1_000 });
    const load = jest.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('boom')).mockResolvedValueOnce('ok');
    const signal = new AbortController().signal;
    await expect(cache.get('k', load, signal)).rejects.toThrow('boom');
    await expect(cache.get('k', load, signal)).resolves.toBe('ok');
  });

  it('lets one caller give up without failing the others', async () => {
    const cache = createTtlCache<string>({ ttlMs: 60_000, loadTimeoutMs: 1_000 });
    let release!: (v: string) => void;
    const load = (): Promise<string> => new Promise((r) => { release = r; });
    const impatient = new AbortController();
    const a = cache.get('k', load, impatient.signal);
    const b = cache.get('k', load, new AbortController().signal);
    impatient.abort();
    await expect(a).rejects.toMatchObject({ code: 'ABORTED' });
    release('v');
    await expect(b).resolves.toBe('v');
  });

  it('expires entries after the TTL', async () => {
    const cache = createTtlCache<number>({ ttlMs: 20, loadTimeoutMs: 1_000 });
    let n = 0;
    const load = (): Promise<number> => Promise.resolve(++n);
    const signal = new AbortController().signal;
    await expect(cache.get('k', load, signal)).resolves.toBe(1);
    await new Promise((r) => setTimeout(r, 40));
    await expect(cache.get('k', load, signal)).resolves.toBe(2);
  });
});
