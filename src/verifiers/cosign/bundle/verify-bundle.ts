/**
 * Verifies a Sigstore bundle (https://github.com/sigstore/protobuf-specs, `Bundle` v0.1–v0.3)
 * about one subject: the bundle is checked by @sigstore/verify, and what it signs must be the
 * subject — the message digest of a message signature, or a `subject[].digest.sha256` of the
 * in-toto statement in a DSSE envelope (what `cosign sign --new-bundle-format` writes).
 * The conformance suite runs through this same function.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, type SignedEntity } from '@sigstore/verify';
import { SIGSTORE_BUNDLE_TYPES } from '../../../oci/media-types.js';
import { CosignError } from '../cosign-error.js';
import { parseJson } from '../parse-json.js';
import { checkStatement, DEFAULT_STATEMENT_LIMITS, readInTotoStatement, type InTotoStatement, type StatementChecks } from '../attestation/read-in-toto-statement.js';
import { verifySignedEntity, type CosignPolicy, type SignatureOutcome } from '../verify-signed-entity.js';

const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

export interface BundleSubject {
  /** `sha256:<hex>` of the signed artifact (for an image: its manifest digest). */
  readonly digest: string;
  /** The artifact's bytes; a message signature can only be checked with them. */
  readonly bytes?: Uint8Array | undefined;
}

export interface BundleOutcome extends SignatureOutcome {
  readonly predicateType?: string | undefined;
  /** The signed in-toto statement of a DSSE bundle; set only when the signature is valid. */
  readonly statement?: InTotoStatement | undefined;
}

export function verifyBundle(bundleBytes: Uint8Array, subject: BundleSubject, policy: CosignPolicy, checks: StatementChecks = {}): BundleOutcome {
  let bundle: Bundle;
  let statement: InTotoStatement | undefined;
  let entity: SignedEntity;
  try {
    bundle = parseBundle(bundleBytes);
    checkNoRootInChain(bundle);
    if (bundle.content.$case === 'dsseEnvelope') {
      const env = bundle.content.dsseEnvelope;
      statement = readInTotoStatement(env.payloadType, env.payload, checks.statementLimits ?? DEFAULT_STATEMENT_LIMITS);
    }
    checkSubject(bundle, statement, subject, checks.predicateTypes);
    entity = toSignedEntity(bundle, subject.bytes ? Buffer.from(subject.bytes) : undefined);
  } catch (err) {
    const e = err instanceof CosignError ? err : new CosignError('MALFORMED', `bundle: ${(err as Error).message}`, { cause: err });
    return { valid: false, failedCheck: e.code, message: `${e.code}: ${e.message}`, tlog: null, predicateType: statement?.predicateType };
  }
  const outcome = verifySignedEntity(entity, policy);
  return { ...outcome, predicateType: statement?.predicateType, ...(outcome.valid && statement ? { statement } : {}) };
}

function parseBundle(bytes: Uint8Array): Bundle {
  const json = parseJson(bytes, 'the Sigstore bundle', MAX_BUNDLE_BYTES);
  if (typeof json.mediaType !== 'string' || !SIGSTORE_BUNDLE_TYPES.includes(json.mediaType)) {
    throw new CosignError('MALFORMED', `unknown bundle media type ${JSON.stringify(json.mediaType)}`);
  }
  try {
    return bundleFromJSON(json);
  } catch (err) {
    throw new CosignError('MALFORMED', `not a valid Sigstore bundle: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The bundle spec says a certificate chain MUST NOT contain the root: trust in a root comes from
 * the trusted root only, and a bundle carrying one is refused rather than silently trimmed.
 */
function checkNoRootInChain(bundle: Bundle): void {
  const material = bundle.verificationMaterial.content;
  if (material.$case !== 'x509CertificateChain') return;
  for (const [i, c] of material.x509CertificateChain.certificates.entries()) {
    let cert: X509Certificate;
    try {
      cert = X509Certificate.parse(Buffer.from(c.rawBytes));
    } catch (err) {
      throw new CosignError('MALFORMED', `certificate ${i} of the bundle's chain: ${(err as Error).message}`, { cause: err });
    }
    if (cert.issuer.equals(cert.subject) && cert.verify()) {
      throw new CosignError('MALFORMED', `the bundle's certificate chain contains a root certificate (#${i}); roots come from the trusted root only`);
    }
  }
}

function checkSubject(bundle: Bundle, statement: InTotoStatement | undefined, subject: BundleSubject, predicateTypes: readonly string[] | undefined): void {
  const [algorithm, hex] = subject.digest.split(':');
  if (algorithm !== 'sha256' || !hex) throw new CosignError('UNSUPPORTED', `subject digest ${subject.digest} is not sha256`);
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    if (md.algorithm !== HashAlgorithm.SHA2_256 || md.digest.toString('hex') !== hex) {
      throw new CosignError('PAYLOAD_DIGEST_MISMATCH', `the bundle signs ${HashAlgorithm[md.algorithm]}:${md.digest.toString('hex')}, not ${subject.digest}`);
    }
    if (!subject.bytes) {
      // sigstore-js verifies a message signature over the artifact bytes; the pipeline gives
      // us the image digest only, and Node has no ECDSA verification of a bare digest.
      throw new CosignError('UNSUPPORTED', 'a message-signature bundle over an image needs the manifest bytes; sign with a DSSE statement (cosign sign --new-bundle-format)');
    }
    return;
  }
  if (!statement) throw new CosignError('MALFORMED', 'the bundle carries no in-toto statement');
  checkStatement(statement, subject.digest, predicateTypes);
}
