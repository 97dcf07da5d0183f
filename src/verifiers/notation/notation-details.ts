/**
 * `details` of a notation result, for Rego policies (documented in docs/verifiers/notation.md).
 */
import type { CertificateRevocation } from './revocation/check-chain-revocation.js';
import type { CertificateSummary } from './x509/describe-certificate.js';

export type CheckName = 'integrity' | 'targetArtifact' | 'authenticity' | 'trustedIdentity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type CheckOutcome = 'pass' | 'fail' | 'logged' | 'skipped';

export interface CheckResult {
  readonly name: CheckName;
  readonly outcome: CheckOutcome;
  readonly message: string;
}

export interface NotationDetails {
  readonly envelopeType?: 'jws' | 'cose' | undefined;
  readonly signingScheme?: string | undefined;
  readonly signer?: Omit<CertificateSummary, 'sha256'> | undefined;
  /** SHA-256 fingerprints of the envelope's chain, leaf first. */
  readonly certificateChain?: readonly string[] | undefined;
  readonly signingTime?: string | undefined;
  readonly expiry?: string | null | undefined;
  readonly timestamp?: { readonly genTime: string; readonly earliest: string; readonly latest: string; readonly tsa: string } | null | undefined;
  readonly signingAgent?: string | undefined;
  readonly trustPolicy?: { readonly name: string; readonly level: string } | undefined;
  readonly checks: readonly CheckResult[];
  /** Per certificate, root first, when revocation was evaluated with fetching configured. */
  readonly revocation?: readonly CertificateRevocation[] | undefined;
}
