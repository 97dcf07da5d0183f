/**
 * Issue 14: Pods naming 5,000 distinct registry hosts (127.x.y.z loopback addresses where
 * nothing listens) through the real Portcullis over HTTPS. /metrics grows by a bounded number
 * of lines (every host not in the config is counted as `other`), and no connection pool is
 * kept per host.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { metricValue, metricsText, review, startHostilePortcullis } from '../../helpers/hostile-portcullis.js';
import type { TestPortcullis } from '../../helpers/start-test-portcullis.js';

const HOSTS = 5000;
const PER_POD = 64;
const AT_ONCE = 8;
const host = (i: number) => `127.${1 + ((i >> 16) & 255)}.${(i >> 8) & 255}.${(i & 255) || 1}:5000`;

let portcullis: TestPortcullis;

beforeAll(async () => {
  portcullis = await startHostilePortcullis(['127.0.0.1:5999']);
}, 60_000);

afterAll(async () => {
  await portcullis?.close();
}, 30_000);

const lineCount = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length;

describe('Pods naming 5,000 distinct registry hosts', () => {
  it('add a bounded number of /metrics lines and keep no pool per host', async () => {
    const images = Array.from({ length: HOSTS }, (_, i) => `${host(i)}/app/img-${i}:1`);
    const pods: string[][] = [];
    for (let i = 0; i < images.length; i += PER_POD) pods.push(images.slice(i, i + PER_POD));

    // One Pod first, so the `other` series exist; then the rest.
    const first = await review(portcullis, 'mutate', pods[0]!, 10);
    expect(first.allowed).toBe(false);
    const before = lineCount(await metricsText(portcullis));
    for (let i = 1; i < pods.length; i += AT_ONCE) {
      const answers = await Promise.all(pods.slice(i, i + AT_ONCE).map((pod) => review(portcullis, 'mutate', pod, 10)));
      for (const a of answers) expect(a.allowed).toBe(false);
    }
    const text = await metricsText(portcullis);
    // Histogram buckets of `other` may gain a status or operation, never a host.
    expect(lineCount(text) - before).toBeLessThanOrEqual(40);
    expect(text).not.toContain('127.1.');
    expect(text).toContain('registry="other"');
    expect(metricValue(text, 'portcullis_registry_origins_open')).toBeLessThanOrEqual(64);
  }, 240_000);
});
