/**
 * The validating webhook's decision (SPEC "Validation"): every unique image goes through the
 * ImageValidator port; the object is allowed only if every image is. The answer depends on
 * the mode: enforce denies with one line per denied image, warn allows with the reasons as
 * warnings, audit allows with the reasons in audit annotations.
 */
import type { Logger } from 'pino';
import type { AdmissionContext, ImageValidator, ImageVerdict, NamespaceModeSource, ValidationMode } from './ports.js';
import { allowResponse, denyResponse } from './build-response.js';
import type { Exclusions } from './exclusions.js';
import type { ObjectImages } from './find-images.js';
import type { Progress } from './progress.js';
import { tooManyImages } from './too-many-images.js';
import { resolveMode, type ModeConfig } from './resolve-mode.js';
import type { AdmissionRequest, AdmissionResponse } from './types.js';

export interface ValidationResult {
  readonly response: AdmissionResponse;
  readonly mode: ValidationMode | undefined;
  readonly verdicts: readonly ImageVerdict[];
  /** Images that would be denied in enforce mode. */
  readonly denied: readonly string[];
}

export async function reviewValidation(
  request: AdmissionRequest,
  found: ObjectImages | undefined,
  deps: {
    validator: ImageValidator; namespaceModes: NamespaceModeSource | undefined; modes: ModeConfig;
    exclusions: Exclusions; ctx: AdmissionContext; progress: Progress; logger: Logger;
    /** Config `admission.maxImagesPerObject`. */
    maxImages?: number | undefined;
  },
): Promise<ValidationResult> {
  const untouched = { response: allowResponse(request.uid), mode: undefined, verdicts: [], denied: [] };
  if (!found || deps.exclusions.namespace(request.namespace)) return untouched;
  const images = found.images.filter((i) => !deps.exclusions.image(i));
  if (images.length === 0) return untouched;
  const tooMany = tooManyImages(images, deps.maxImages);
  if (tooMany) return { response: denyResponse(request.uid, tooMany), mode: undefined, verdicts: [], denied: [...new Set(images)] };

  deps.progress.images = images;
  deps.progress.stage = 'namespace-mode';
  const { mode, ignoredLabel } = await resolveMode(request.namespace, deps.modes, deps.namespaceModes, deps.ctx.signal, deps.logger);
  deps.progress.stage = 'validate';
  const returned = await deps.validator.validate(images, deps.ctx, { mode });
  deps.progress.stage = 'respond';

  // One verdict per image, in the object's order; an image the validator skipped is denied
  // (failing closed), never silently allowed.
  const byImage = new Map((Array.isArray(returned) ? returned : []).map((v) => [v.image, v]));
  const verdicts = images.map((image): ImageVerdict => byImage.get(image) ?? {
    image, allowed: false, reasons: ['no verdict was produced for this image'], warnings: [], summary: 'denied: no verdict',
  });
  const denied = verdicts.filter((v) => v.allowed !== true);
  const denialLines = denied.map((v) => `image "${v.image}" denied: ${v.reasons.length > 0 ? v.reasons.join('; ') : 'no reason given'}`);
  const policyWarnings = verdicts.flatMap((v) => v.warnings.map((w) => `image "${v.image}": ${w}`));
  const auditAnnotations: Record<string, string> = { mode };
  if (ignoredLabel) auditAnnotations['mode-label-ignored'] = `${ignoredLabel}: the portcullis.dev/mode label may only tighten the mode here`;
  verdicts.forEach((v, i) => {
    // Keys carry no "/": the API server prefixes them with the webhook name and requires a
    // qualified name (one "/" at most), e.g. `validate.portcullis.dev/image-0`.
    auditAnnotations[`image-${i}`] = `${v.image} ${v.summary}`;
  });

  let response: AdmissionResponse;
  switch (mode) {
    // Any mode this switch does not know is enforced (fails closed).
    default:
    case 'enforce':
      response = denied.length > 0
        ? denyResponse(request.uid, denialLines.join('\n'), { warnings: policyWarnings, auditAnnotations })
        : allowResponse(request.uid, { warnings: policyWarnings, auditAnnotations });
      break;
    case 'warn':
      response = allowResponse(request.uid, {
        warnings: [...denialLines.map((l) => `portcullis (warn mode): ${l}`), ...policyWarnings],
        auditAnnotations,
      });
      break;
    case 'audit':
      denied.forEach((v) => {
        const i = verdicts.indexOf(v);
        auditAnnotations[`image-${i}`] = `${v.image} would be denied: ${v.reasons.join('; ')}`;
      });
      if (denied.length > 0) auditAnnotations['decision'] = 'would-deny';
      response = allowResponse(request.uid, { warnings: policyWarnings, auditAnnotations });
      break;
  }
  return { response, mode, verdicts, denied: denied.map((v) => v.image) };
}
