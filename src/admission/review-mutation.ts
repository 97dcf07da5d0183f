/**
 * The mutating webhook's decision (SPEC "Mutation"): pin every image through the
 * ImagePinner port and answer with one JSON Patch `replace` per changed image path.
 */
import type { ImagePinner, AdmissionContext, PinOutcome } from './ports.js';
import { buildPatch, encodePatch } from './build-patch.js';
import { allowResponse, denyResponse } from './build-response.js';
import type { Exclusions } from './exclusions.js';
import type { ObjectImages } from './find-images.js';
import type { Progress } from './progress.js';
import { tooManyImages } from './too-many-images.js';
import type { AdmissionRequest, AdmissionResponse, JsonPatchReplace } from './types.js';

export interface MutationSettings {
  readonly enabled: boolean;
  readonly onError: 'deny' | 'allow';
}

export interface MutationResult {
  readonly response: AdmissionResponse;
  readonly patch: readonly JsonPatchReplace[];
  readonly errors: ReadonlyArray<{ image: string; code: string; message: string }>;
}

export async function reviewMutation(
  request: AdmissionRequest,
  found: ObjectImages | undefined,
  deps: {
    pinner: ImagePinner; settings: MutationSettings; exclusions: Exclusions; ctx: AdmissionContext; progress: Progress;
    /** Config `admission.maxImagesPerObject`. */
    maxImages?: number | undefined;
  },
): Promise<MutationResult> {
  const untouched = { response: allowResponse(request.uid), patch: [], errors: [] };
  if (!deps.settings.enabled || !found || deps.exclusions.namespace(request.namespace)) return untouched;
  const images = found.images.filter((i) => !deps.exclusions.image(i));
  if (images.length === 0) return untouched;
  const tooMany = tooManyImages(images, deps.maxImages);
  if (tooMany) return { response: denyResponse(request.uid, tooMany), patch: [], errors: [] };

  deps.progress.stage = 'pin';
  deps.progress.images = images;
  let outcomes: ReadonlyMap<string, PinOutcome>;
  try {
    outcomes = await deps.pinner.pin(images, deps.ctx);
  } catch (err) {
    const message = (err as Error).message || String(err);
    outcomes = new Map(images.map((i) => [i, { kind: 'error', code: (err as { code?: string }).code ?? 'PIN_FAILED', message } as const]));
  }
  deps.progress.stage = 'respond';

  const replacements = new Map<string, string>();
  const errors: Array<{ image: string; code: string; message: string }> = [];
  for (const image of images) {
    const o = outcomes.get(image) ?? { kind: 'error', code: 'NO_OUTCOME', message: 'the pinner gave no answer for this image' };
    switch (o.kind) {
      case 'pinned': replacements.set(image, o.reference); break;
      case 'unchanged': break;
      case 'error': errors.push({ image, code: o.code, message: o.message }); break;
      // An outcome this switch does not know is a failure to pin (mutation.onError applies).
      default: errors.push({ image, code: 'BAD_OUTCOME', message: 'the pinner gave an unknown outcome for this image' }); break;
    }
  }
  const lines = errors.map((e) => `cannot pin image "${e.image}" to a digest: ${e.message} (${e.code})`);
  // Only an explicit `allow` admits unpinned images; any other value denies.
  if (errors.length > 0 && deps.settings.onError !== 'allow') {
    return { response: denyResponse(request.uid, lines.join('\n')), patch: [], errors };
  }
  const patch = buildPatch(found.locations, replacements);
  const response = allowResponse(request.uid, {
    ...(patch.length > 0 ? { patchType: 'JSONPatch', patch: encodePatch(patch) } : {}),
    warnings: lines.map((l) => `portcullis: ${l}; admitted unpinned (mutation.onError: allow)`),
  });
  return { response, patch, errors };
}
