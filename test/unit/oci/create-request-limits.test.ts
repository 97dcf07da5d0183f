import { describe, expect, it } from '@jest/globals';
import { createProcessBudget, createRequestLimits } from '../../../src/oci/create-request-limits.js';
import { registerDeadline } from '../../../src/oci/deadline.js';
import { linkRequestSignal } from '../../../src/oci/request-signal.js';

const MiB = 1024 * 1024;

describe('createRequestLimits', () => {
  it('bounds the bytes of one request and gives them all back when the request ends', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 16 * MiB, maxBytesWaitMs: 0 });
    const request = new AbortController();
    await limits.reserveBytes(request.signal, 3 * MiB, 'blob');
    await expect(limits.reserveBytes(request.signal, 2 * MiB, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    // Another request has its own share.
    const other = new AbortController();
    const lease = await limits.reserveBytes(other.signal, 2 * MiB, 'blob');
    expect(limits.stats().bytesHeld).toBe(5 * MiB);
    request.abort();
    expect(limits.stats().bytesHeld).toBe(2 * MiB);
    lease.release();
    expect(limits.stats().bytesHeld).toBe(0);
  });

  it('bounds the bytes of all requests together', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 6 * MiB, maxBytesWaitMs: 0 });
    const a = new AbortController();
    const b = new AbortController();
    await limits.reserveBytes(a.signal, 4 * MiB, 'blob');
    await expect(limits.reserveBytes(b.signal, 3 * MiB, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED', message: expect.stringContaining('registries.maxBytesInFlight') });
    // The failed reservation gave back what it took from b's own budget.
    await limits.reserveBytes(b.signal, 2 * MiB, 'blob');
    expect(limits.stats().bytesHeld).toBe(6 * MiB);
    a.abort(); b.abort();
    expect(limits.stats().bytesHeld).toBe(0);
  });

  it('shares one process budget between config generations: a reload does not double it', async () => {
    const budget = createProcessBudget({ maxBytesInFlight: 6 * MiB, maxConnections: 2 });
    const limits = { maxBytesPerRequest: 6 * MiB, maxBytesInFlight: 6 * MiB, maxBytesWaitMs: 0, maxConnections: 2, maxConnectionsPerRequest: 2 };
    const old = createRequestLimits(limits, budget);
    const next = createRequestLimits(limits, budget);
    const draining = new AbortController();
    await old.reserveBytes(draining.signal, 5 * MiB, 'blob');
    await old.acquireConnection(draining.signal, 'GET');
    const fresh = new AbortController();
    await expect(next.reserveBytes(fresh.signal, 3 * MiB, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED', message: expect.stringContaining('registries.maxBytesInFlight') });
    await next.acquireConnection(fresh.signal, 'GET');
    const third = next.acquireConnection(fresh.signal, 'GET');
    // Each generation reports what it holds (the metrics add them up), not the shared total twice.
    expect(old.stats()).toMatchObject({ bytesHeld: 5 * MiB, connectionsHeld: 1 });
    expect(next.stats()).toMatchObject({ bytesHeld: 0, connectionsHeld: 1 });
    // The old generation's request ends: what it held is free for the new one.
    draining.abort();
    await expect(third).resolves.toBeInstanceOf(Function);
    await expect(next.reserveBytes(fresh.signal, 3 * MiB, 'blob')).resolves.toMatchObject({ bytes: 3 * MiB });
    expect(budget.bytes.held).toBe(3 * MiB);
    expect(old.stats()).toMatchObject({ bytesHeld: 0, connectionsHeld: 0 });
    fresh.abort();
    expect(budget.bytes.held).toBe(0);
    expect(budget.connections.held).toBe(0);
  });

  it('sizes the shared budget by the newest generation', async () => {
    const budget = createProcessBudget({ maxBytesInFlight: 2 * MiB, maxConnections: 4 });
    createRequestLimits({ maxBytesInFlight: 2 * MiB }, budget);
    expect(budget.bytes.limit).toBe(2 * MiB);
    const grown = createRequestLimits({ maxBytesInFlight: 8 * MiB, maxBytesPerRequest: 8 * MiB }, budget);
    expect(budget.bytes.limit).toBe(8 * MiB);
    const request = new AbortController();
    await expect(grown.reserveBytes(request.signal, 5 * MiB, 'blob')).resolves.toMatchObject({ bytes: 5 * MiB });
    request.abort();
  });

  it('lets a fetch wait for bytes another fetch of the request gives back', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 16 * MiB, maxBytesWaitMs: 10_000 });
    const request = new AbortController();
    const first = await limits.reserveBytes(request.signal, 3 * MiB, 'blob');
    const second = limits.reserveBytes(request.signal, 3 * MiB, 'blob');
    first.release();
    await expect(second).resolves.toMatchObject({ bytes: 3 * MiB });
    request.abort();
  });

  it('refuses a body larger than the whole per-request budget at once', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 16 * MiB });
    await expect(limits.reserveBytes(new AbortController().signal, 5 * MiB, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
  });

  it('stops waiting before the registered deadline, so the error names the budget', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 16 * MiB, maxBytesWaitMs: 60_000 });
    const request = new AbortController();
    registerDeadline(request.signal, Date.now() + 100);
    await limits.reserveBytes(request.signal, 4 * MiB, 'blob');
    await expect(limits.reserveBytes(request.signal, 1, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    request.abort();
  });

  it('charges a signal derived inside the client to its request', async () => {
    const limits = createRequestLimits({ maxBytesPerRequest: 4 * MiB, maxBytesInFlight: 16 * MiB, maxBytesWaitMs: 0 });
    const request = new AbortController();
    const derived = linkRequestSignal(AbortSignal.any([request.signal, new AbortController().signal]), request.signal);
    await limits.reserveBytes(derived, 4 * MiB, 'page');
    await expect(limits.reserveBytes(request.signal, 1, 'blob')).rejects.toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    request.abort();
    expect(limits.stats().bytesHeld).toBe(0);
  });

  it('bounds the requests in flight of one admission request', async () => {
    const limits = createRequestLimits({ maxConnectionsPerRequest: 2, maxConnections: 10 });
    const request = new AbortController();
    const r1 = await limits.acquireConnection(request.signal, 'get');
    await limits.acquireConnection(request.signal, 'get');
    let third = false;
    const p = limits.acquireConnection(request.signal, 'get').then((r) => { third = true; return r; });
    await Promise.resolve();
    expect(third).toBe(false);
    expect(limits.stats().connectionsHeld).toBe(2);
    r1();
    (await p)();
    expect(third).toBe(true);
    request.abort();
    expect(limits.stats().connectionsHeld).toBe(0);
  });
});
