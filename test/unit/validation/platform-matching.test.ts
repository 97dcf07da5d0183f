/**
 * Property tests for platform matching (issue 13, class 4): spellings the container runtime
 * treats as one platform match the same `validation.platforms` entries, and whatever an index
 * lists, every entry a node could pull is verified by itself or covered by the index.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/media-types.js';
import type { ContentFetcher, Descriptor, Platform } from '../../../src/oci/types.js';
import { normalizePlatform, samePlatform } from '../../../src/validation/normalize-platform.js';
import { platformName, selectTargets } from '../../../src/validation/select-targets.js';

const SEED = 13;

/** Groups of spellings containerd normalises to one platform (os/arch/variant). */
const SAME: readonly (readonly Platform[])[] = [
  [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'x86-64' }, { os: 'linux', architecture: 'amd64', variant: 'v1' }],
  [{ os: 'linux', architecture: 'amd64', variant: 'v3' }, { os: 'linux', architecture: 'x86_64', variant: 'v3' }],
  [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64', variant: '8' }, { os: 'linux', architecture: 'aarch64', variant: 'v8.0' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v9' }, { os: 'linux', architecture: 'arm64', variant: '9' }, { os: 'linux', architecture: 'aarch64', variant: 'v9.0' }],
  [{ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm', variant: '7' }, { os: 'linux', architecture: 'armhf' }],
  [{ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: '6' }, { os: 'linux', architecture: 'armel' }],
  [{ os: 'linux', architecture: 'arm', variant: 'v5' }, { os: 'linux', architecture: 'arm', variant: '5' }],
  [{ os: 'linux', architecture: '386' }, { os: 'linux', architecture: 'i386' }],
  [{ os: 'darwin', architecture: 'arm64' }, { os: 'macos', architecture: 'aarch64' }],
  [{ os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'x86_64' }],
  [{ os: 'linux', architecture: 's390x' }],
  [{ os: 'linux', architecture: 'ppc64le' }],
  [{ os: 'linux', architecture: 'riscv64' }],
];

const recase = (s: string, mask: readonly boolean[]) => [...s].map((c, i) => (mask[i % Math.max(1, mask.length)] ? c.toUpperCase() : c.toLowerCase())).join('');
const spelled = (p: Platform, mask: readonly boolean[]): Platform => ({
  os: recase(p.os, mask), architecture: recase(p.architecture, mask), ...(p.variant !== undefined ? { variant: recase(p.variant, mask) } : {}),
});
const group = fc.integer({ min: 0, max: SAME.length - 1 });
const mask = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
const spelling = fc.tuple(group, fc.nat(), mask).map(([g, i, m]) => {
  const spellings = SAME[g]!;
  return { group: g, platform: spelled(spellings[i % spellings.length]!, m) };
});

describe('samePlatform (the runtime\'s normalisation)', () => {
  it('treats any two spellings of one platform, in any case, as the same', () => {
    fc.assert(fc.property(group, fc.nat(), fc.nat(), mask, mask, (g, i, j, m1, m2) => {
      const s = SAME[g]!;
      expect(samePlatform(spelled(s[i % s.length]!, m1), spelled(s[j % s.length]!, m2))).toBe(true);
    }), { seed: SEED, numRuns: 500 });
  });

  it('never treats spellings of two different platforms as the same', () => {
    fc.assert(fc.property(spelling, spelling, (a, b) => {
      fc.pre(a.group !== b.group);
      expect(samePlatform(a.platform, b.platform)).toBe(false);
    }), { seed: SEED, numRuns: 500 });
  });

  it('is idempotent: a normalised platform normalises to itself', () => {
    const anyPlatform = fc.record({ os: fc.string({ maxLength: 8 }), architecture: fc.string({ maxLength: 8 }), variant: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }) });
    fc.assert(fc.property(anyPlatform, (p) => {
      const n = normalizePlatform(p);
      expect(normalizePlatform(n)).toEqual(n);
    }), { seed: SEED, numRuns: 500 });
  });
});

describe('selectTargets with a platform list', () => {
  /** An index over the given entries (undefined platform: an entry without one). */
  function indexOf(entries: readonly (Platform | undefined)[]) {
    const manifests: Descriptor[] = entries.map((p, i) => ({
      mediaType: OCI_MANIFEST, digest: `sha256:${i.toString(16).padStart(64, '0')}`, size: 100, ...(p ? { platform: p } : {}),
    }));
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    const root: Descriptor = { mediaType: OCI_INDEX, digest: `sha256:${'f'.repeat(64)}`, size: bytes.length };
    const fetcher: ContentFetcher = {
      fetchManifest: (_ref, descriptor) => Promise.resolve({ descriptor, bytes }),
      fetchBlob: () => Promise.reject(new Error('no blobs here')),
    };
    return { root, manifests, fetcher };
  }
  const ref = { original: 'r.io/app@sha256:f', registry: 'r.io', repository: 'app' };
  const entry = fc.option(spelling.map((s) => s.platform), { nil: undefined, freq: 8 });
  const listSpec = fc.array(spelling, { minLength: 1, maxLength: 4 }).map((ss) => ss.map((s) => platformName(s.platform)));

  it('verifies every entry a node could pull, or makes the index verify on behalf of the others, naming each', async () => {
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 10 }), listSpec, async (entries, list) => {
      const { root, manifests, fetcher } = indexOf(entries);
      const targets = await selectTargets(fetcher, ref, root, list, AbortSignal.timeout(5_000), '');
      const verified = new Set(targets.map((t) => t.descriptor.digest));
      if (verified.has(root.digest)) {
        // The index verifies: either because nothing listed is in it (an error that denies)
        // or on behalf of the entries not verified by themselves, which it names.
        const index = targets.find((t) => t.descriptor.digest === root.digest)!;
        const unverified = manifests.filter((m) => !verified.has(m.digest));
        if (index.errors.length === 0) expect(index.covers).toHaveLength(new Set(unverified.map((m) => (m.platform ? platformName(m.platform) : m.digest))).size);
        else expect(targets).toHaveLength(1);
      } else {
        for (const m of manifests) expect(verified.has(m.digest)).toBe(true);
      }
      // Each verified platform entry is one the list names (after normalisation).
      for (const t of targets) {
        if (t.platform) expect(list.some((l) => samePlatform(t.platform!, { os: l.split('/')[0]!, architecture: l.split('/')[1]!, variant: l.split('/')[2] }))).toBe(true);
      }
    }), { seed: SEED, numRuns: 300 });
  });

  it('selects the same entries for any spelling of the listed platforms', async () => {
    await fc.assert(fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), group, fc.nat(), fc.nat(), mask, async (entries, g, i, j, m) => {
      const s = SAME[g]!;
      const { root, fetcher } = indexOf(entries);
      const pick = (list: string[]) => selectTargets(fetcher, ref, root, list, AbortSignal.timeout(5_000), '').then((ts) => ts.map((t) => t.descriptor.digest));
      expect(await pick([platformName(spelled(s[i % s.length]!, m))])).toEqual(await pick([platformName(s[j % s.length]!)]));
    }), { seed: SEED, numRuns: 300 });
  });
});
