/**
 * Which manifests of an image are verified (SPEC "Validation", config `validation.platforms`):
 *  - `index`: the index itself (what `cosign sign` and `notation sign` sign by default);
 *  - `[linux/amd64, …]`: those platform manifests of the index;
 *  - `both`: the index and every platform manifest in it.
 * A plain (single-platform) manifest is always verified as itself.
 */
import { INDEX_MEDIA_TYPES } from '../oci/media-types.js';
import type { ContentFetcher, Descriptor, ImageRef, Platform } from '../oci/types.js';
import { runStage, type StageError } from './run-stage.js';

export type PlatformSelection = 'index' | 'both' | readonly string[];

export interface Target {
  readonly descriptor: Descriptor;
  readonly platform?: Platform | undefined;
  /** Stage errors that belong to this target (e.g. no listed platform in the index). */
  readonly errors: readonly StageError[];
}

/** At most this many manifests of an index are considered (a hostile index could list millions). */
const MAX_INDEX_ENTRIES = 256;

export function platformName(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

function matches(p: Platform, wanted: string): boolean {
  const [os, arch, variant] = wanted.split('/');
  return p.os === os && p.architecture === arch && (variant === undefined || p.variant === variant);
}

function readIndex(bytes: Uint8Array): Descriptor[] {
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  const manifests = typeof raw === 'object' && raw !== null ? (raw as { manifests?: unknown }).manifests : undefined;
  if (!Array.isArray(manifests)) throw new Error('image index has no manifests list');
  const out: Descriptor[] = [];
  for (const m of manifests.slice(0, MAX_INDEX_ENTRIES)) {
    if (typeof m !== 'object' || m === null) continue;
    const d = m as Record<string, unknown>;
    const p = d.platform as Record<string, unknown> | undefined;
    if (typeof d.digest !== 'string' || typeof d.mediaType !== 'string' || typeof d.size !== 'number') continue;
    if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string') continue;
    if (p.os === 'unknown') continue; // buildkit attestation manifests, not runnable images
    out.push({
      digest: d.digest, mediaType: d.mediaType, size: d.size,
      platform: { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) },
    });
  }
  return out;
}

export async function selectTargets(
  fetcher: ContentFetcher, ref: ImageRef, root: Descriptor, selection: PlatformSelection, signal: AbortSignal, what: string,
): Promise<Target[]> {
  if (!INDEX_MEDIA_TYPES.includes(root.mediaType) || selection === 'index') return [{ descriptor: root, errors: [] }];
  const listed = await runStage('platforms', signal, what, async (s) => readIndex((await fetcher.fetchManifest(ref, root, s)).bytes));
  if (!listed.ok) return [{ descriptor: root, errors: [listed.error] }];
  const platforms = selection === 'both' ? listed.value : listed.value.filter((d) => selection.some((w) => matches(d.platform!, w)));
  const targets: Target[] = platforms.map((d) => ({ descriptor: d, platform: d.platform, errors: [] }));
  if (selection === 'both') return [{ descriptor: root, errors: [] }, ...targets];
  if (targets.length === 0) {
    // Nothing to verify is never a pass: the policy sees why.
    return [{ descriptor: root, errors: [{ stage: 'platforms', message: `${what ? `${what}: ` : ''}the image index has none of the platforms ${selection.join(', ')}` }] }];
  }
  return targets;
}
