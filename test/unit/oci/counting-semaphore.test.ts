import { describe, expect, it } from '@jest/globals';
import { createCountingSemaphore } from '../../../src/oci/counting-semaphore.js';

const live = () => new AbortController().signal;

describe('createCountingSemaphore', () => {
  it('grants what fits at once and makes the rest wait, in FIFO order', async () => {
    const s = createCountingSemaphore(10);
    const r1 = await s.acquire(6, { signal: live(), what: 't' });
    const order: string[] = [];
    const big = s.acquire(8, { signal: live(), what: 't' }).then((r) => { order.push('big'); return r; });
    // Fits the free 4, but waits behind the larger request queued first (no starvation).
    const small = s.acquire(2, { signal: live(), what: 't' }).then((r) => { order.push('small'); return r; });
    await Promise.resolve();
    expect(s.held).toBe(6);
    expect(s.waiting).toBe(2);
    r1();
    // Both fit now, granted in the order they asked.
    const [rBig, rSmall] = await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(s.held).toBe(10);
    rBig(); rSmall();
    expect(s.held).toBe(0);
  });

  it('release is idempotent', async () => {
    const s = createCountingSemaphore(4);
    const r = await s.acquire(3, { signal: live(), what: 't' });
    r(); r();
    expect(s.held).toBe(0);
  });

  it('refuses at once what can never fit, with BUDGET_EXCEEDED', async () => {
    const s = createCountingSemaphore(4);
    await expect(s.acquire(5, { signal: live(), what: 'budget' })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(s.waiting).toBe(0);
  });

  it('ends a wait with BUDGET_EXHAUSTED once waitUntil passes, and lets the next waiter in', async () => {
    const s = createCountingSemaphore(4);
    const held = await s.acquire(3, { signal: live(), what: 't' });
    const late = s.acquire(4, { signal: live(), waitUntil: Date.now(), what: 'budget' });
    const next = s.acquire(1, { signal: live(), what: 't' });
    await expect(late).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    (await next)();
    held();
    expect(s.held).toBe(0);
    expect(s.waiting).toBe(0);
  });

  it('ends a wait when the signal aborts, leaving nothing queued', async () => {
    const s = createCountingSemaphore(1);
    const held = await s.acquire(1, { signal: live(), what: 't' });
    const c = new AbortController();
    const waiting = s.acquire(1, { signal: c.signal, what: 't' });
    c.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(s.waiting).toBe(0);
    held();
    expect(s.held).toBe(0);
  });
  it('setLimit: a raised limit grants waiters at once, a lowered one keeps what is held', async () => {
    const sem = createCountingSemaphore(2);
    const signal = new AbortController().signal;
    const first = await sem.acquire(2, { signal, what: 'test' });
    const waiting = sem.acquire(1, { signal, what: 'test' });
    sem.setLimit(3);
    await expect(waiting).resolves.toBeInstanceOf(Function);
    sem.setLimit(1);
    expect(sem.held).toBe(3);
    first();
    expect(sem.held).toBe(1);
    await expect(sem.acquire(1, { signal, what: 'test', waitUntil: Date.now() })).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED' });
  });
});
