import { CosignError } from '../cosign-error.js';
import { parseJson } from '../parse-json.js';

/** https://github.com/containers/image/blob/main/docs/containers-signature.5.md (the "simple signing" format). */
const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/**
 * Checks that a simple-signing payload is about `subjectDigest`: its
 * `critical.image.docker-manifest-digest` must name exactly the image being admitted, so a
 * signature copied from another image (or another platform of an index) is refused.
 * Returns the docker-reference the signer claimed, for details.
 */
export function checkSimpleSigningPayload(payload: Uint8Array, subjectDigest: string): { dockerReference?: string | undefined } {
  const json = parseJson(payload, 'the simple-signing payload', 256 * 1024);
  const critical = json.critical as { type?: unknown; image?: { 'docker-manifest-digest'?: unknown }; identity?: { 'docker-reference'?: unknown } } | undefined;
  if (typeof critical !== 'object' || critical === null) throw new CosignError('MALFORMED', 'the simple-signing payload has no "critical" section');
  if (typeof critical.type !== 'string' || critical.type.toLowerCase() !== COSIGN_SIGNATURE_TYPE) {
    throw new CosignError('MALFORMED', `the simple-signing payload has type ${JSON.stringify(critical.type)}, expected "${COSIGN_SIGNATURE_TYPE}"`);
  }
  const digest = critical.image?.['docker-manifest-digest'];
  if (typeof digest !== 'string') throw new CosignError('MALFORMED', 'the simple-signing payload has no critical.image.docker-manifest-digest');
  if (digest !== subjectDigest) {
    throw new CosignError('PAYLOAD_DIGEST_MISMATCH', `the signature is for ${digest}, not for this image (${subjectDigest})`);
  }
  const ref = critical.identity?.['docker-reference'];
  return { dockerReference: typeof ref === 'string' ? ref : undefined };
}
