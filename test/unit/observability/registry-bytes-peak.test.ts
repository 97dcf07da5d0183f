import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createProcessBudget, createRequestLimits } from '../../../src/oci/create-request-limits.js';

const MiB = 1024 * 1024;

async function gauge(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('portcullis_registry_bytes_held_max', () => {
  it('is the process peak, not the sum of each generation\'s peak, and survives a generation\'s end', async () => {
    const metrics = createMetrics(new Registry(), { defaults: false });
    const budget = createProcessBudget({ maxBytesInFlight: 16 * MiB, maxConnections: 4 });
    const old = createRequestLimits({ maxBytesWaitMs: 0 }, budget);
    const next = createRequestLimits({ maxBytesWaitMs: 0 }, budget);
    const unregisterOld = metrics.registryLoad(() => old.stats());
    metrics.registryLoad(() => next.stats());
    // Each generation peaks at 3 MiB, never at the same time: the process held 3 MiB at most.
    const a = new AbortController();
    (await old.reserveBytes(a.signal, 3 * MiB, 'blob')).release();
    const b = new AbortController();
    (await next.reserveBytes(b.signal, 3 * MiB, 'blob')).release();
    expect(await gauge(metrics, 'portcullis_registry_bytes_held_max')).toBe(3 * MiB);
    // Both at once: 2 + 2 MiB held together.
    const l1 = await old.reserveBytes(a.signal, 2 * MiB, 'blob');
    const l2 = await next.reserveBytes(b.signal, 2 * MiB, 'blob');
    l1.release(); l2.release();
    expect(await gauge(metrics, 'portcullis_registry_bytes_held_max')).toBe(4 * MiB);
    unregisterOld();
    expect(await gauge(metrics, 'portcullis_registry_bytes_held_max')).toBe(4 * MiB);
  });
});
