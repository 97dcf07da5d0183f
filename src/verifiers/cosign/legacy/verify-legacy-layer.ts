import { CosignError } from '../cosign-error.js';
import { verifySignedEntity, type CosignPolicy, type SignatureOutcome } from '../verify-signed-entity.js';
import { checkSimpleSigningPayload } from './check-simple-signing-payload.js';
import type { LegacyLayer } from './read-legacy-signatures.js';
import { toLegacySignedEntity } from './to-legacy-signed-entity.js';

/** Verifies one layer of a `.sig` manifest: payload about this image, then the signature. */
export function verifyLegacyLayer(layer: LegacyLayer, subjectDigest: string, policy: CosignPolicy): SignatureOutcome {
  if ('error' in layer) return failed(layer.error);
  try {
    checkSimpleSigningPayload(layer.signature.payload, subjectDigest);
    return verifySignedEntity(toLegacySignedEntity(layer.signature), policy);
  } catch (err) {
    return failed(err instanceof CosignError ? err : new CosignError('MALFORMED', (err as Error).message, { cause: err }));
  }
}

function failed(e: CosignError): SignatureOutcome {
  return { valid: false, failedCheck: e.code, message: `${e.code}: ${e.message}`, tlog: null };
}
