import { describe, expect, it } from '@jest/globals';
import { createSingleFlight } from '../../../src/cache/single-flight.js';

describe('createSingleFlight', () => {
  it('runs concurrent calls with the same key once', async () => {
    const sf = createSingleFlight();
    let calls = 0;
    let release!: (v: string) => void;
    const gate = new Promise<string>((r) => { release = r; });
    const fn = () => { calls++; return gate; };
    const all = Promise.all(Array.from({ length: 50 }, () => sf.do('k', fn)));
    release('v');
    expect(await all).toEqual(Array(50).fill('v'));
    expect(calls).toBe(1);
    expect(sf.size).toBe(0);
  });

  it('runs different keys separately', async () => {
    const sf = createSingleFlight();
    let calls = 0;
    await Promise.all([sf.do('a', async () => { calls++; }), sf.do('b', async () => { calls++; })]);
    expect(calls).toBe(2);
  });

  it('shares a rejection, then forgets it so the next call runs again', async () => {
    const sf = createSingleFlight();
    let calls = 0;
    const failing = async () => { calls++; throw new Error('boom'); };
    await expect(Promise.all([sf.do('k', failing), sf.do('k', failing)])).rejects.toThrow('boom');
    await expect(sf.do('k', failing)).rejects.toThrow('boom');
    expect(calls).toBe(2);
  });

  it('ends one waiter on its own abort without cancelling the shared call', async () => {
    const sf = createSingleFlight();
    let release!: (v: number) => void;
    const gate = new Promise<number>((r) => { release = r; });
    const ac = new AbortController();
    const first = sf.do('k', () => gate);
    const second = sf.do('k', () => gate, ac.signal);
    ac.abort(new Error('mine'));
    await expect(second).rejects.toThrow('mine');
    release(7);
    expect(await first).toBe(7);
  });
});
