import { CodedError } from '../../shared/coded-error.js';

/**
 * Why one Cosign signature was not accepted. Each code names the check that failed
 * (docs/verifiers/cosign.md lists them with what to do about each).
 */
export type CosignErrorCode =
  /** The artifact, payload, bundle or one of its annotations could not be parsed. */
  | 'MALFORMED'
  /** The signed payload names another image digest than the one being admitted. */
  | 'PAYLOAD_DIGEST_MISMATCH'
  /** A layer blob does not hash to the digest its `.sig` manifest gives for it. */
  | 'BLOB_DIGEST_MISMATCH'
  /** The signature does not verify with the key that is known to have made it. */
  | 'SIGNATURE_INVALID'
  /** The signature was made by a key that is not configured (or cannot be matched to one). */
  | 'WRONG_KEY'
  /** Keyless verification is configured but the signature carries no certificate. */
  | 'CERT_MISSING'
  /** The certificate does not chain to a Fulcio CA of the trusted root, or its SCT is missing/invalid. */
  | 'CERT_UNTRUSTED'
  /** The certificate's subject (SAN) matches none of the configured identities. */
  | 'IDENTITY_MISMATCH'
  /** The certificate's OIDC issuer matches none of the configured issuers for its identity. */
  | 'ISSUER_MISMATCH'
  /** A transparency-log proof is required but the signature has none. */
  | 'TLOG_MISSING'
  /** The transparency-log entry is not signed by a trusted log, or does not match the signature. */
  | 'TLOG_INVALID'
  /** An RFC 3161 timestamp does not verify against the trusted timestamp authorities. */
  | 'TIMESTAMP_INVALID'
  /** The signed statement's predicate type is not among the accepted ones. */
  | 'PREDICATE_TYPE_MISMATCH'
  /** The in-toto statement (with its predicate) is over the size or nesting limit (`statementLimits`). */
  | 'STATEMENT_TOO_LARGE'
  /** A form of signature this verifier cannot check (named in the message). */
  | 'UNSUPPORTED';

export class CosignError extends CodedError<CosignErrorCode> {}
