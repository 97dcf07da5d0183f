import { NotationError } from '../notation-error.js';
import { parseCoseEnvelope } from './parse-cose-envelope.js';
import { parseJwsEnvelope } from './parse-jws-envelope.js';
import type { SignedEnvelope } from './signed-envelope.js';

export const JWS_MEDIA_TYPE = 'application/jose+json';
export const COSE_MEDIA_TYPE = 'application/cose';

/** Parses an envelope by the media type of the signature manifest's layer. */
export function parseEnvelope(mediaType: string, bytes: Uint8Array): SignedEnvelope {
  switch (mediaType) {
    case JWS_MEDIA_TYPE: return parseJwsEnvelope(bytes);
    case COSE_MEDIA_TYPE: return parseCoseEnvelope(bytes);
    default: throw new NotationError('UNSUPPORTED_ENVELOPE', `signature envelope media type ${JSON.stringify(mediaType)} is not ${JWS_MEDIA_TYPE} or ${COSE_MEDIA_TYPE}`);
  }
}
