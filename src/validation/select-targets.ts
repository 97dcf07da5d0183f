/**
 * Which manifests of an image are verified (SPEC "Validation", config `validation.platforms`;
 * the rule in docs/platforms.md):
 *  - `index`: the index itself (what `cosign sign` and `notation sign` sign by default); a
 *    signature on the index covers every manifest in it (they are named by digest);
 *  - `[linux/amd64, …]`: each index entry whose platform is one of those, after the runtime's
 *    normalisation (src/validation/normalize-platform.ts). Every other entry a node could pull
 *    through the reference (an unlisted platform, an entry without a platform, entries past the
 *    cap) is not verified by itself, so the index must then verify too: it becomes a target
 *    that names those entries, and the image is allowed only if it passes;
 *  - `both`: the index and every platform manifest in it.
 * A plain (single-platform) manifest is always verified as itself. Entries whose OS is
 * `unknown` (buildkit's attestation manifests) are never pulled by a node and are left out.
 */
import { INDEX_MEDIA_TYPES } from '../oci/media-types.js';
import type { ContentFetcher, Descriptor, ImageRef, Platform } from '../oci/types.js';
import { normalizePlatform, parsePlatform, samePlatform } from './normalize-platform.js';
import { runStage, type StageError } from './run-stage.js';

export type PlatformSelection = 'index' | 'both' | readonly string[];

export interface Target {
  readonly descriptor: Descriptor;
  readonly platform?: Platform | undefined;
  /**
   * Set on the index target when it must verify on behalf of entries that are not verified by
   * themselves: one line per such entry (its platform, or why it has none).
   */
  readonly covers?: readonly string[] | undefined;
  /** Stage errors that belong to this target (e.g. no listed platform in the index). */
  readonly errors: readonly StageError[];
}

/** At most this many manifests of an index are looked at one by one (a hostile index could list millions). */
const MAX_INDEX_ENTRIES = 256;
/** At most this many uncovered entries are named in a reason; the rest are counted. */
const MAX_NAMED = 8;

export function platformName(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** One entry of an index: a pullable manifest with its platform, or one a node might pull that has none we can read. */
type IndexEntry =
  | { readonly kind: 'platform'; readonly descriptor: Descriptor; readonly platform: Platform }
  | { readonly kind: 'unplatformed'; readonly why: string };

function readIndex(bytes: Uint8Array): IndexEntry[] {
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  const manifests = typeof raw === 'object' && raw !== null ? (raw as { manifests?: unknown }).manifests : undefined;
  if (!Array.isArray(manifests)) throw new Error('image index has no manifests list');
  const out: IndexEntry[] = [];
  for (const [i, m] of manifests.slice(0, MAX_INDEX_ENTRIES).entries()) {
    const d = typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
    const p = typeof d.platform === 'object' && d.platform !== null ? (d.platform as Record<string, unknown>) : undefined;
    if (typeof d.digest !== 'string' || typeof d.mediaType !== 'string' || typeof d.size !== 'number') {
      out.push({ kind: 'unplatformed', why: `entry ${i} (malformed descriptor)` });
      continue;
    }
    // The runtime reads an entry without a platform from its config, so any node may pull it.
    if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string') {
      out.push({ kind: 'unplatformed', why: `entry ${i} ${d.digest} (no platform)` });
      continue;
    }
    const platform: Platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
    if (normalizePlatform(platform).os === 'unknown') continue; // buildkit attestation manifests, not runnable images
    out.push({ kind: 'platform', descriptor: { digest: d.digest, mediaType: d.mediaType, size: d.size, platform }, platform });
  }
  if (manifests.length > MAX_INDEX_ENTRIES) out.push({ kind: 'unplatformed', why: `${manifests.length - MAX_INDEX_ENTRIES} entries past the first ${MAX_INDEX_ENTRIES}` });
  return out;
}

function named(lines: readonly string[]): string {
  const shown = lines.slice(0, MAX_NAMED).join(', ');
  return lines.length > MAX_NAMED ? `${shown} and ${lines.length - MAX_NAMED} more` : shown;
}

/** The reason prefix of the index target when it verifies on behalf of other entries. */
export function coversLabel(covers: readonly string[]): string {
  return `index (verified for ${named(covers)}, not in validation.platforms)`;
}

export async function selectTargets(
  fetcher: ContentFetcher, ref: ImageRef, root: Descriptor, selection: PlatformSelection, signal: AbortSignal, what: string, registry?: string,
): Promise<Target[]> {
  if (!INDEX_MEDIA_TYPES.includes(root.mediaType) || selection === 'index') return [{ descriptor: root, errors: [] }];
  const listed = await runStage('platforms', signal, what, async (s) => readIndex((await fetcher.fetchManifest(ref, root, s)).bytes), registry);
  if (!listed.ok) return [{ descriptor: root, errors: [listed.error] }];
  const entries = listed.value;
  const withPlatform = entries.filter((e) => e.kind === 'platform');
  if (selection === 'both') {
    // The index is verified, so entries without a platform are covered by it.
    return [{ descriptor: root, errors: [] }, ...withPlatform.map((e) => ({ descriptor: e.descriptor, platform: e.platform, errors: [] }))];
  }
  const wanted = selection.map(parsePlatform);
  const isListed = (p: Platform) => wanted.some((w) => samePlatform(p, w));
  const targets: Target[] = withPlatform.filter((e) => isListed(e.platform)).map((e) => ({ descriptor: e.descriptor, platform: e.platform, errors: [] }));
  const uncovered = entries.flatMap((e) => (e.kind === 'unplatformed' ? [e.why] : isListed(e.platform) ? [] : [platformName(e.platform)]));
  if (targets.length === 0) {
    // Nothing to verify is never a pass: the policy sees why.
    return [{ descriptor: root, errors: [{ stage: 'platforms', message: `${what ? `${what}: ` : ''}the image index has none of the platforms ${selection.join(', ')}` }] }];
  }
  if (uncovered.length > 0) targets.push({ descriptor: root, covers: [...new Set(uncovered)], errors: [] });
  return targets;
}
