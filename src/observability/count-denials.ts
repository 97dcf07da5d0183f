import type { AdmissionContext, ImageVerdict, ValidateOptions } from '../admission/ports.js';
import type { DetailedImageValidator, DetailedVerdict } from '../validation/create-image-validator.js';
import { denialReason } from './denial-reason.js';
import type { Metrics } from './metrics.js';

/**
 * Decorates a validator so every denied image counts once in
 * `portcullis_image_denials_total{reason}`, whatever the namespace's mode.
 */
export function countDenials(inner: DetailedImageValidator, metrics: Pick<Metrics, 'imageDenials'>): DetailedImageValidator {
  // The options (the namespace's mode) pass through: dropping them made every review enforce.
  const validateDetailed = async (images: readonly string[], ctx: AdmissionContext, options?: ValidateOptions): Promise<DetailedVerdict[]> => {
    const verdicts = await inner.validateDetailed(images, ctx, options);
    for (const v of verdicts) {
      const reason = denialReason(v);
      if (reason) metrics.imageDenials.inc({ reason });
    }
    return verdicts;
  };
  return {
    validateDetailed,
    async validate(images, ctx, options): Promise<ImageVerdict[]> {
      return (await validateDetailed(images, ctx, options)).map(({ image, allowed, reasons, warnings, summary }) => ({ image, allowed, reasons, warnings, summary }));
    },
  };
}
