import { describe, expect, it } from '@jest/globals';
import { admissionContext } from '../../../src/admission/admission-context.js';
import { decodeAdmissionReview } from '../../../src/admission/decode-admission-review.js';
import { createExclusions } from '../../../src/admission/exclusions.js';
import { findImages } from '../../../src/admission/find-images.js';
import type { AdmissionContext, ImageValidator, ImageVerdict } from '../../../src/admission/ports.js';
import { newProgress } from '../../../src/admission/progress.js';
import { reviewValidation } from '../../../src/admission/review-validation.js';
import { deadlineOf } from '../../../src/oci/deadline.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';

describe('admissionContext', () => {
  describe('when a validator reads the deadline of its signal', () => {
    it('sees the request deadline, so the registry client can fail fast on the validate path', async () => {
      const request = decodeAdmissionReview(fixtureText('deployment-create.json'), { maxDepth: 64 });
      const found = findImages(request);
      const deadline = Date.now() + 7_000;
      const seen: (number | undefined)[] = [];
      // Stands in for the registry client: it only knows the signal, never the context.
      const readDeadline = (signal: AbortSignal): number | undefined => deadlineOf(signal);
      const validator: ImageValidator = {
        validate(images: readonly string[], ctx: AdmissionContext): Promise<ImageVerdict[]> {
          seen.push(readDeadline(ctx.signal));
          return Promise.resolve(images.map((image): ImageVerdict => ({ image, allowed: true, reasons: [], warnings: [], summary: 'allowed' })));
        },
      };
      const ctx = admissionContext(request, found, new AbortController().signal, deadline);
      await reviewValidation(request, found, {
        validator, namespaceModes: undefined, modes: { mode: 'enforce', namespaces: {} },
        exclusions: createExclusions({ excludeNamespaces: [], excludeImages: [] }),
        ctx, progress: newProgress(), logger: silentLogger(),
      });
      expect(seen).toEqual([deadline]);
    });
  });
});
