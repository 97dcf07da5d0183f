/**
 * Issue 14: registry answers that never end — an endless blob body and a slowloris one — against
 * the real Portcullis over HTTPS. Each Pod is answered (denied, with the image named), the
 * registry cannot push more than the cap, and no body is still being received once the request has ended.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startHostileRegistry, type HostileRegistry } from '../../helpers/hostile-registry.js';
import { review, startHostilePortcullis } from '../../helpers/hostile-portcullis.js';
import type { TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;
let registry: HostileRegistry | undefined;
let portcullis: TestPortcullis | undefined;

afterEach(async () => {
  await portcullis?.close();
  await registry?.stop();
  portcullis = undefined;
  registry = undefined;
}, 30_000);

describe('a registry whose blob body never ends', () => {
  it('is read no further than the size the manifest declared; the image is denied naming the cap', async () => {
    registry = await startHostileRegistry({ referrers: 2, layerBytes: 1 * MiB, layerMode: 'endless' });
    portcullis = await startHostilePortcullis(registry.hosts);
    const image = registry.image(0);
    const answer = await review(portcullis, 'validate', [image], 5);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain(image);
    // Two referrers, read up to their 1 MiB declared size (plus what was in flight on the socket).
    expect(registry.stats().bytesSent).toBeLessThan(2 * 4 * MiB);
    await waitFor('the layer responses to be dropped', () => (registry!.stats().streaming === 0 ? true : undefined), 15_000, 100);
  }, 30_000);
});

describe('a slowloris registry (a byte every 200 ms)', () => {
  it('the Pod is answered within its timeout, and its slow bodies are dropped once it is', async () => {
    registry = await startHostileRegistry({ referrers: 4, layerBytes: 1 * MiB, layerMode: 'slowloris' });
    portcullis = await startHostilePortcullis(registry.hosts);
    const answer = await review(portcullis, 'validate', [registry.image(0), registry.image(1)], 2);
    expect(answer.allowed).toBe(false);
    expect(registry.stats().requests.blobs ?? 0).toBeGreaterThan(0);
    await waitFor('the layer responses to be dropped', () => (registry!.stats().streaming === 0 ? true : undefined), 15_000, 100);
  }, 30_000);
});
