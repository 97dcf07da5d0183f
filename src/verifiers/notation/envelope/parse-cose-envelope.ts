/**
 * COSE_Sign1 (`application/cose`):
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-cose.md
 * Structure per RFC 9052 §4.2; the signature covers Sig_structure (RFC 9052 §4.4).
 */
import { parseCertificate } from '../x509/certificate-memo.js';
import { CborTag, decodeCbor, type CborValue } from '../../../shared/cbor/decode-cbor.js';
import { encodeCbor } from '../../../shared/cbor/encode-cbor.js';
import { NotationError } from '../notation-error.js';
import { checkCriticalHeaders, HEADER, PAYLOAD_CONTENT_TYPE, parseSigningScheme } from './notary-headers.js';
import { COSE_ALGORITHMS } from './signature-algorithms.js';
import type { SignedEnvelope } from './signed-envelope.js';

const COSE_SIGN1_TAG = 18;
const LABEL = { alg: 1, crit: 2, contentType: 3, x5chain: 33 } as const;
/** CBOR tag 1: epoch-based date/time (RFC 8949 §3.4.2), as the COSE envelope spec uses for times. */
const EPOCH_TIME_TAG = 1;

export function parseCoseEnvelope(bytes: Uint8Array): SignedEnvelope {
  const top = decode(bytes, 'COSE envelope');
  // The COSE_Sign1 tag is required by the Notary spec ("COSE_Sign1_Tagged").
  if (!(top instanceof CborTag) || top.tag !== COSE_SIGN1_TAG) throw new NotationError('MALFORMED_ENVELOPE', 'not a tagged COSE_Sign1 message');
  const msg = top.value;
  if (!Array.isArray(msg) || msg.length !== 4) throw new NotationError('MALFORMED_ENVELOPE', 'COSE_Sign1 must be an array of 4 items');
  const [protectedBytes, unprotected, payload, signature] = msg;
  if (!(protectedBytes instanceof Uint8Array) || protectedBytes.length === 0) throw new NotationError('MALFORMED_ENVELOPE', 'COSE protected header must be a non-empty byte string');
  if (!(unprotected instanceof Map)) throw new NotationError('MALFORMED_ENVELOPE', 'COSE unprotected header must be a map');
  if (!(payload instanceof Uint8Array)) throw new NotationError('MALFORMED_ENVELOPE', 'COSE payload must be attached as a byte string');
  if (!(signature instanceof Uint8Array) || signature.length === 0) throw new NotationError('MALFORMED_ENVELOPE', 'COSE signature must be a non-empty byte string');

  const ph = decode(protectedBytes, 'COSE protected header');
  if (!(ph instanceof Map)) throw new NotationError('MALFORMED_ENVELOPE', 'COSE protected header is not a map');

  const alg = COSE_ALGORITHMS.get(ph.get(LABEL.alg) as number);
  if (!alg) throw new NotationError('UNSUPPORTED_ALGORITHM', `COSE algorithm ${String(ph.get(LABEL.alg))} is not one of PS256/384/512, ES256/384/512`);
  if (ph.get(LABEL.contentType) !== PAYLOAD_CONTENT_TYPE) throw new NotationError('MALFORMED_ENVELOPE', `payload content type must be ${PAYLOAD_CONTENT_TYPE}`);
  const scheme = parseSigningScheme(ph.get(HEADER.signingScheme));
  const crit = ph.get(LABEL.crit);
  // Integer labels in crit name standard COSE headers; none of those may be critical here.
  if (Array.isArray(crit)) {
    for (const c of crit) if (typeof c !== 'string') throw new NotationError('UNKNOWN_CRITICAL_HEADER', `critical header label ${String(c)} is not understood`);
  }
  checkCriticalHeaders(crit, (n) => ph.has(n), scheme);

  const timeHeader = scheme === 'notary.x509' ? HEADER.signingTime : HEADER.authenticSigningTime;
  const signingTime = epochTime(ph.get(timeHeader), timeHeader);
  const expiry = ph.has(HEADER.expiry) ? epochTime(ph.get(HEADER.expiry), HEADER.expiry) : undefined;

  let chain = unprotected.get(LABEL.x5chain);
  if (chain instanceof Uint8Array) chain = [chain];
  if (!Array.isArray(chain) || chain.length === 0) throw new NotationError('MALFORMED_ENVELOPE', 'COSE unprotected header x5chain (33) is missing');
  if (chain.length > 10) throw new NotationError('MALFORMED_ENVELOPE', 'certificate chain longer than 10');
  const certificateChain = chain.map((c, i) => {
    if (!(c instanceof Uint8Array)) throw new NotationError('MALFORMED_ENVELOPE', `x5chain[${i}] is not a byte string`);
    try {
      return parseCertificate(c);
    } catch (cause) {
      throw new NotationError('MALFORMED_ENVELOPE', `x5chain[${i}] is not an X.509 certificate`, { cause });
    }
  });
  const ts = unprotected.get(HEADER.timestampSignature);
  if (ts !== undefined && !(ts instanceof Uint8Array)) throw new NotationError('MALFORMED_ENVELOPE', `${HEADER.timestampSignature} must be a byte string`);
  const agent = unprotected.get(HEADER.signingAgent);
  const plugin = ph.get(HEADER.verificationPlugin);

  return {
    envelopeType: 'cose',
    algorithm: alg,
    signingScheme: scheme,
    signingTime,
    expiry,
    certificateChain,
    payload,
    payloadContentType: PAYLOAD_CONTENT_TYPE,
    signedBytes: encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]),
    signature,
    timestampToken: ts,
    signingAgent: typeof agent === 'string' ? agent : undefined,
    verificationPlugin: typeof plugin === 'string' ? plugin : undefined,
  };
}

function decode(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes, { maxDepth: 8, maxItems: 1000 });
  } catch (cause) {
    throw new NotationError('MALFORMED_ENVELOPE', `${what}: ${(cause as Error).message}`, { cause });
  }
}

function epochTime(v: CborValue, name: string): Date {
  if (!(v instanceof CborTag) || v.tag !== EPOCH_TIME_TAG || typeof v.value !== 'number' || !Number.isFinite(v.value)) {
    throw new NotationError('MALFORMED_ENVELOPE', `${name} must be a tag-1 epoch time`);
  }
  const d = new Date(v.value * 1000);
  if (Number.isNaN(d.getTime())) throw new NotationError('MALFORMED_ENVELOPE', `${name} is not a valid time`);
  return d;
}
