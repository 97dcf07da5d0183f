import type { AdmissionContext, ImageVerdict } from '../admission/ports.js';
import type { DetailedImageValidator, DetailedVerdict } from '../validation/create-image-validator.js';
import { denialReason } from './denial-reason.js';
import type { Metrics } from './metrics.js';

/**
 * Decorates a validator so every denied image counts once in
 * `portcullis_image_denials_total{reason}`, whatever the namespace's mode.
 */
export function countDenials(inner: DetailedImageValidator, metrics: Pick<Metrics, 'imageDenials'>): DetailedImageValidator {
  const validateDetailed = async (images: readonly string[], ctx: AdmissionContext): Promise<DetailedVerdict[]> => {
    const verdicts = await inner.validateDetailed(images, ctx);
    for (const v of verdicts) {
      const reason = denialReason(v);
      if (reason) metrics.imageDenials.inc({ reason });
    }
    return verdicts;
  };
  return {
    validateDetailed,
    async validate(images, ctx): Promise<ImageVerdict[]> {
      return (await validateDetailed(images, ctx)).map(({ image, allowed, reasons, warnings, summary }) => ({ image, allowed, reasons, warnings, summary }));
    },
  };
}
