/**
 * Issue 14, "Proven by": one Pod naming 16 images of a hostile registry, each listing 64
 * Notation "signatures" with 16 MiB layers, against the real Portcullis over HTTPS. Asserted on
 * counts only: bytes held (Portcullis' own gauges), sockets open at the registry's listeners,
 * bytes the registry managed to send.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHostileRegistry, type HostileRegistry } from '../../helpers/hostile-registry.js';
import { metricValue, metricsText, review, startHostilePortcullis } from '../../helpers/hostile-portcullis.js';
import type { TestPortcullis } from '../../helpers/start-test-portcullis.js';

const MiB = 1024 * 1024;
const PER_REQUEST = 64 * MiB;
const IN_FLIGHT = 96 * MiB;
/** Issue 14's target for one request; also registries.maxConnections, the bound on open sockets. */
const SOCKETS = 64;

let registry: HostileRegistry;
let portcullis: TestPortcullis;

beforeAll(async () => {
  // Eight origins: 16 images x 8 referrers at once could otherwise open 8 x 16 sockets (16 per registry).
  registry = await startHostileRegistry({ referrers: 64, layerBytes: 16 * MiB, listeners: 8 });
  portcullis = await startHostilePortcullis(registry.hosts, {
    registries: { maxBytesPerRequest: PER_REQUEST, maxBytesInFlight: IN_FLIGHT, maxConnections: SOCKETS },
  });
}, 60_000);

afterAll(async () => {
  await portcullis?.close();
  await registry?.stop();
}, 30_000);

const images = (from: number, n: number) => Array.from({ length: n }, (_, i) => registry.image(from + i));

describe('one Pod of 16 images with 64 signatures of 16 MiB each', () => {
  it('is denied, holds at most registries.maxBytesPerRequest and opens at most 64 sockets', async () => {
    registry.reset();
    const answer = await review(portcullis, 'validate', images(0, 16), 5);
    expect(answer.allowed).toBe(false);
    const metrics = await metricsText(portcullis);
    expect(metricValue(metrics, 'portcullis_registry_bytes_held_max')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'portcullis_registry_bytes_held_max')).toBeLessThanOrEqual(PER_REQUEST);
    expect(registry.stats().peakSockets).toBeLessThanOrEqual(SOCKETS);
    // Signatures were really fetched (the budget was exercised, not bypassed).
    expect(registry.stats().requests.blobs ?? 0).toBeGreaterThan(0);
  }, 30_000);

  it('gives every byte back once the request has ended', async () => {
    await review(portcullis, 'validate', images(100, 4), 3);
    // The answer is sent before the abort has run its listeners: poll the gauge, not the clock.
    let held = Number.NaN;
    for (let i = 0; i < 50; i++) {
      held = metricValue(await metricsText(portcullis), 'portcullis_registry_bytes_held');
      if (held === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(held).toBe(0);
  }, 30_000);
});

describe('four worst Pods at once', () => {
  it('hold no more than registries.maxBytesInFlight together, and every Pod is answered', async () => {
    const answers = await Promise.all([0, 1, 2, 3].map((k) => review(portcullis, 'validate', images(200 + k * 16, 16), 5)));
    expect(answers.map((a) => a.allowed)).toEqual([false, false, false, false]);
    expect(metricValue(await metricsText(portcullis), 'portcullis_registry_bytes_held_max')).toBeLessThanOrEqual(IN_FLIGHT);
  }, 60_000);
});
