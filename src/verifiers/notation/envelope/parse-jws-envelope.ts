/**
 * JWS JSON serialization (`application/jose+json`), flattened form:
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md
 */
import { NotationError } from '../notation-error.js';
import { checkCriticalHeaders, HEADER, PAYLOAD_CONTENT_TYPE, parseSigningScheme } from './notary-headers.js';
import { isSignatureAlgorithm } from './signature-algorithms.js';
import type { SignedEnvelope } from './signed-envelope.js';
import { isObject } from '../../../shared/is-object.js';
import { parseCertificate } from '../x509/certificate-memo.js';

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseJwsEnvelope(bytes: Uint8Array): SignedEnvelope {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new NotationError('MALFORMED_ENVELOPE', 'JWS envelope is not JSON', { cause });
  }
  if (!isObject(doc)) throw new NotationError('MALFORMED_ENVELOPE', 'JWS envelope is not a JSON object');
  const { payload, protected: protectedB64, header, signature } = doc;
  if ('signatures' in doc) throw new NotationError('MALFORMED_ENVELOPE', 'JWS general serialization (signatures[]) is not allowed; use the flattened form');
  if (typeof payload !== 'string' || !B64URL.test(payload)) throw new NotationError('MALFORMED_ENVELOPE', 'JWS "payload" must be base64url');
  if (typeof protectedB64 !== 'string' || !B64URL.test(protectedB64) || protectedB64 === '') throw new NotationError('MALFORMED_ENVELOPE', 'JWS "protected" must be base64url');
  if (typeof signature !== 'string' || !B64URL.test(signature) || signature === '') throw new NotationError('MALFORMED_ENVELOPE', 'JWS "signature" must be base64url');
  if (!isObject(header)) throw new NotationError('MALFORMED_ENVELOPE', 'JWS unprotected "header" is missing');

  let ph: unknown;
  try {
    ph = JSON.parse(Buffer.from(protectedB64, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new NotationError('MALFORMED_ENVELOPE', 'JWS protected header is not JSON', { cause });
  }
  if (!isObject(ph)) throw new NotationError('MALFORMED_ENVELOPE', 'JWS protected header is not a JSON object');

  if (!isSignatureAlgorithm(ph.alg)) throw new NotationError('UNSUPPORTED_ALGORITHM', `JWS algorithm ${JSON.stringify(ph.alg)} is not one of PS256/384/512, ES256/384/512`);
  if (ph.cty !== PAYLOAD_CONTENT_TYPE) throw new NotationError('MALFORMED_ENVELOPE', `payload content type must be ${PAYLOAD_CONTENT_TYPE}, got ${JSON.stringify(ph.cty)}`);
  const scheme = parseSigningScheme(ph[HEADER.signingScheme]);
  checkCriticalHeaders(ph.crit, (n) => Object.hasOwn(ph, n), scheme);

  const timeHeader = scheme === 'notary.x509' ? HEADER.signingTime : HEADER.authenticSigningTime;
  const signingTime = parseRfc3339(ph[timeHeader], timeHeader);
  const expiry = Object.hasOwn(ph, HEADER.expiry) ? parseRfc3339(ph[HEADER.expiry], HEADER.expiry) : undefined;

  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0) throw new NotationError('MALFORMED_ENVELOPE', 'JWS unprotected header "x5c" (certificate chain) is missing');
  if (x5c.length > 10) throw new NotationError('MALFORMED_ENVELOPE', 'certificate chain longer than 10');
  const certificateChain = x5c.map((c, i) => {
    if (typeof c !== 'string' || !B64.test(c)) throw new NotationError('MALFORMED_ENVELOPE', `x5c[${i}] is not base64`);
    try {
      return parseCertificate(Buffer.from(c, 'base64'));
    } catch (cause) {
      throw new NotationError('MALFORMED_ENVELOPE', `x5c[${i}] is not an X.509 certificate`, { cause });
    }
  });
  const ts = header[HEADER.timestampSignature];
  if (ts !== undefined && (typeof ts !== 'string' || !B64.test(ts))) throw new NotationError('MALFORMED_ENVELOPE', `${HEADER.timestampSignature} must be base64`);
  const agent = header[HEADER.signingAgent];
  const plugin = ph[HEADER.verificationPlugin];

  return {
    envelopeType: 'jws',
    algorithm: ph.alg,
    signingScheme: scheme,
    signingTime,
    expiry,
    certificateChain,
    payload: Buffer.from(payload, 'base64url'),
    payloadContentType: PAYLOAD_CONTENT_TYPE,
    signedBytes: Buffer.from(`${protectedB64}.${payload}`, 'ascii'),
    signature: Buffer.from(signature, 'base64url'),
    timestampToken: typeof ts === 'string' ? Buffer.from(ts, 'base64') : undefined,
    signingAgent: typeof agent === 'string' ? agent : undefined,
    verificationPlugin: typeof plugin === 'string' ? plugin : undefined,
  };
}


// RFC 3339 date-time, as the JWS envelope spec requires for time headers.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseRfc3339(v: unknown, name: string): Date {
  if (typeof v !== 'string' || !RFC3339.test(v)) throw new NotationError('MALFORMED_ENVELOPE', `${name} must be an RFC 3339 time, got ${JSON.stringify(v)}`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new NotationError('MALFORMED_ENVELOPE', `${name} is not a valid time`);
  return d;
}
