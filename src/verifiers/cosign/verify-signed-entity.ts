/**
 * Verifies one signed entity (a legacy `.sig` layer or a Sigstore bundle, both mapped onto
 * sigstore-js's SignedEntity) against the configured keys and keyless identities, and says
 * which check failed in CosignError terms. The cryptography is @sigstore/verify's `Verifier`;
 * this file only chooses its trust material and thresholds and reads its outcome.
 */
import { createHash, createPublicKey, publicDecrypt, constants, type KeyObject } from 'node:crypto';
import { Verifier, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import type { CosignErrorCode } from './cosign-error.js';
import type { IdentityMatcher } from './identity-matcher.js';
import { emptyTrustMaterial } from './load-trusted-root.js';
import type { CosignPublicKey } from './load-public-key.js';

/** What a signature must satisfy: built once from config. */
export interface CosignPolicy {
  readonly keys: readonly CosignPublicKey[];
  /** Keyless identities; empty when only keys are trusted. */
  readonly identities: readonly IdentityMatcher[];
  /** From `trustedRoot`; undefined when none is configured. */
  readonly trust: TrustMaterial | undefined;
  readonly tlogRequired: boolean;
  readonly sctRequired: boolean;
}

export type Signer = { readonly key: string; readonly fingerprint: string } | { readonly identity: string; readonly issuer: string };

export interface SignatureOutcome {
  readonly valid: boolean;
  readonly failedCheck?: CosignErrorCode | undefined;
  readonly message: string;
  readonly signer?: Signer | undefined;
  /** The log entry's index and integrated time (null for Rekor v2 entries, which have none). */
  readonly tlog: { readonly logIndex: number; readonly integratedTime: number | null } | null;
}

type Failure = { readonly code: CosignErrorCode; readonly message: string; readonly signer?: Signer };

export function verifySignedEntity(original: SignedEntity, policy: CosignPolicy): SignatureOutcome {
  // With the log not required, its entries are not looked at at all (cosign's
  // --insecure-ignore-tlog): an entry from a log we hold no key for must not fail the signature.
  const entity: SignedEntity = policy.tlogRequired
    ? original
    : { ...original, tlogEntries: [], timestamps: original.timestamps.filter((t) => t.$case === 'timestamp-authority') };
  const first = entity.tlogEntries[0];
  const tlog = first ? { logIndex: Number(first.logIndex), integratedTime: Number(first.integratedTime) || null } : null;
  if (policy.tlogRequired && entity.tlogEntries.length === 0) {
    return fail({ code: 'TLOG_MISSING', message: 'no transparency-log entry, and one is required (tlog.required)' }, null);
  }

  const failures: Failure[] = [];
  for (const key of policy.keys) {
    const outcome = attempt(() => verifyWithKey(entity, key, policy));
    if (!('code' in outcome)) return { valid: true, message: `signed by key ${key.label}${tlogText(tlog)}`, signer: outcome, tlog };
    failures.push(outcome);
  }
  if (policy.identities.length > 0) {
    const outcome = attempt(() => verifyKeyless(entity, policy));
    if (!('code' in outcome)) {
      const who = 'identity' in outcome ? `${outcome.identity} (issuer ${outcome.issuer})` : outcome.key;
      return { valid: true, message: `signed by ${who}${tlogText(tlog)}`, signer: outcome, tlog };
    }
    failures.push(outcome);
  }
  return fail(pickFailure(failures, original, policy), tlog);
}

function verifyWithKey(entity: SignedEntity, key: CosignPublicKey, policy: CosignPolicy): Signer {
  const trust: TrustMaterial = {
    ...(policy.trust ?? emptyTrustMaterial()),
    publicKey: () => ({ publicKey: key.key, validFor: () => true }),
  };
  // A configured key is trusted whatever certificate the signature carries (as `cosign verify --key`).
  const keyed: SignedEntity = { ...entity, key: { $case: 'public-key', hint: key.fingerprint } };
  new Verifier(trust, { tlogThreshold: policy.tlogRequired ? 1 : 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(keyed);
  return { key: key.label, fingerprint: key.fingerprint };
}

function verifyKeyless(entity: SignedEntity, policy: CosignPolicy): Signer | Failure {
  if (entity.key.$case !== 'certificate') {
    return { code: 'CERT_MISSING', message: 'signed with a bare key, not a certificate, and only keyless identities are trusted' };
  }
  if (!policy.trust) return { code: 'CERT_UNTRUSTED', message: 'no trustedRoot configured to check the certificate against' };
  // The certificate is short-lived: it is checked at the time a log entry or a timestamp
  // authority vouches for, so keyless needs at least one of them.
  if (entity.timestamps.length === 0) {
    return { code: 'TLOG_MISSING', message: 'no transparency-log entry or RFC 3161 timestamp proves when the certificate was used' };
  }
  const signer = new Verifier(policy.trust, {
    tlogThreshold: policy.tlogRequired ? 1 : 0,
    ctlogThreshold: policy.sctRequired ? 1 : 0,
    timestampThreshold: 1,
  }).verify(entity);
  const san = signer.identity?.subjectAlternativeName ?? '';
  const issuer = signer.identity?.extensions?.issuer ?? '';
  const bySubject = policy.identities.filter((i) => i.matchesSubject(san));
  if (bySubject.length === 0) {
    return { code: 'IDENTITY_MISMATCH', message: `signed by ${san || '(no SAN)'}, which matches no trusted identity (${policy.identities.map((i) => i.subjectLabel).join(', ')})` };
  }
  if (!bySubject.some((i) => i.matchesIssuer(issuer))) {
    return {
      code: 'ISSUER_MISMATCH',
      message: `signed by ${san} via issuer ${issuer || '(none)'}, expected ${bySubject.map((i) => i.issuerLabel).join(' or ')}`,
      signer: { identity: san, issuer },
    };
  }
  return { identity: san, issuer };
}

/** Runs one verification; a thrown sigstore-js error becomes a Failure with our code. */
function attempt(run: () => Signer | Failure): Signer | Failure {
  try {
    return run();
  } catch (err) {
    return toFailure(err);
  }
}

function toFailure(err: unknown): Failure {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  switch (e.code) {
    case 'SIGNATURE_ERROR':
      return { code: 'SIGNATURE_INVALID', message: 'signature does not verify' };
    case 'PUBLIC_KEY_ERROR':
      return { code: 'WRONG_KEY', message };
    case 'CERTIFICATE_ERROR':
      return { code: 'CERT_UNTRUSTED', message: `certificate not trusted: ${message}` };
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return { code: 'TLOG_MISSING', message: `transparency-log entry has no inclusion promise or proof` };
    case 'TLOG_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_BODY_ERROR':
      return { code: 'TLOG_INVALID', message: `transparency-log entry invalid: ${message}` };
    case 'TIMESTAMP_ERROR':
      return { code: 'TIMESTAMP_INVALID', message: `timestamp invalid: ${message}` };
    case 'NOT_IMPLEMENTED_ERROR':
      return { code: 'UNSUPPORTED', message };
    case 'UNTRUSTED_SIGNER_ERROR':
      return { code: 'IDENTITY_MISMATCH', message };
    case 'WRONG_KEY':
      return { code: 'WRONG_KEY', message };
    default:
      // Anything else thrown while reading hostile input (bad ASN.1, truncated keys…).
      return { code: 'MALFORMED', message: `cannot verify: ${message}` };
  }
}

/**
 * Among the failures of each trusted key/identity, the one a person should read. A signature
 * that verifies under no configured key is WRONG_KEY unless we can tell that one of our keys
 * did make it (then the payload was altered after signing: SIGNATURE_INVALID).
 */
function pickFailure(failures: readonly Failure[], entity: SignedEntity, policy: CosignPolicy): Failure {
  const keyFailures = failures.slice(0, policy.keys.length);
  const keyless = failures[policy.keys.length];
  // A certificate-bearing signature with identities configured: the keyless reason is the useful one.
  if (keyless && entity.key.$case === 'certificate') return keyless;
  const nonSignature = keyFailures.find((f) => f.code !== 'SIGNATURE_INVALID');
  if (nonSignature) return nonSignature;
  if (keyFailures.length > 0) return classifySignatureFailure(entity, policy);
  return keyless ?? { code: 'WRONG_KEY', message: 'no key or identity configured' };
}

function classifySignatureFailure(entity: SignedEntity, policy: CosignPolicy): Failure {
  const signerKey = signerKeyFromEntity(entity);
  if (signerKey) {
    const fp = fingerprint(signerKey);
    const ours = policy.keys.find((k) => k.fingerprint === fp);
    return ours
      ? { code: 'SIGNATURE_INVALID', message: `signature by key ${ours.label} does not verify: the payload was altered after signing` }
      : { code: 'WRONG_KEY', message: `signed by key ${fp}, which is not a configured key` };
  }
  // RSA PKCS#1 v1.5 lets us tell "our key, other message" from "another key".
  for (const key of policy.keys) {
    if (key.key.asymmetricKeyType === 'rsa' && rsaSignatureDecodes(entity.signature.signature, key.key)) {
      return { code: 'SIGNATURE_INVALID', message: `signature by key ${key.label} does not verify: the payload was altered after signing` };
    }
  }
  const labels = policy.keys.map((k) => k.label).join(', ');
  return { code: 'WRONG_KEY', message: `signature does not verify with any configured key (${labels}): signed by another key, or altered` };
}

/** The signing key named by a certificate or a (not yet trusted) hashedrekord log entry, if any. */
function signerKeyFromEntity(entity: SignedEntity): KeyObject | undefined {
  try {
    if (entity.key.$case === 'certificate') return createPublicKey({ key: entity.key.certificate.publicKey, format: 'der', type: 'spki' });
    for (const entry of entity.tlogEntries) {
      const body = JSON.parse(entry.canonicalizedBody.toString('utf8')) as { spec?: { signature?: { publicKey?: { content?: unknown } } } };
      const content = body.spec?.signature?.publicKey?.content;
      if (typeof content !== 'string') continue;
      const pemText = Buffer.from(content, 'base64').toString('utf8');
      return createPublicKey(pemText); // a PEM key or certificate
    }
  } catch {
    // Unreadable hints only cost us the finer failure code.
  }
  return undefined;
}

function rsaSignatureDecodes(signature: Buffer, key: KeyObject): boolean {
  try {
    publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return true;
  } catch {
    return false;
  }
}

function fingerprint(key: KeyObject): string {
  return `sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

function fail(f: Failure, tlog: SignatureOutcome['tlog']): SignatureOutcome {
  return { valid: false, failedCheck: f.code, message: `${f.code}: ${f.message}`, signer: f.signer, tlog };
}

function tlogText(tlog: SignatureOutcome['tlog']): string {
  if (!tlog) return '';
  return tlog.integratedTime ? `, logged at index ${tlog.logIndex} (${new Date(tlog.integratedTime * 1000).toISOString()})` : `, logged at index ${tlog.logIndex}`;
}
