/**
 * The verification core, pure: envelope bytes + subject + trust policy + trust stores + clock in,
 * an outcome out. It reads like the Notary Project workflow
 * (https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification):
 * pick the trust policy, then integrity, authenticity (trust store, trusted identity),
 * authentic timestamp, expiry and revocation, each enforced or only logged as the policy says.
 */
import { checkAuthenticTimestamp } from './checks/check-authentic-timestamp.js';
import { checkAuthenticity } from './checks/check-authenticity.js';
import { checkExpiry } from './checks/check-expiry.js';
import { checkIntegrity } from './checks/check-integrity.js';
import { checkRevocation } from './checks/check-revocation.js';
import { checkChainRevocation, type ChainToCheck, type RevocationContext } from './revocation/check-chain-revocation.js';
import { failed, passed, type CheckFinding } from './checks/check-result.js';
import { checkTargetArtifact, type TargetDescriptor } from './checks/check-target-artifact.js';
import { checkTrustedIdentity } from './checks/check-trusted-identity.js';
import { parseEnvelope } from './envelope/parse-envelope.js';
import type { SignedEnvelope } from './envelope/signed-envelope.js';
import type { CheckName, CheckResult, NotationDetails } from './notation-details.js';
import { NotationError, type NotationErrorCode } from './notation-error.js';
import { findTrustPolicy } from './trust-policy/find-trust-policy.js';
import type { TrustPolicyDocument, ValidationAction } from './trust-policy/trust-policy.js';
import type { NotationTrustStores } from './trust-store/notation-trust-stores.js';
import { describeCertificate } from './x509/describe-certificate.js';

export interface NotationSubject extends TargetDescriptor {
  readonly registry: string;
  readonly repository: string;
}

export interface VerifyNotationSignatureInput {
  readonly subject: NotationSubject;
  readonly envelopeMediaType: string;
  readonly envelope: Uint8Array;
  readonly trustPolicy: TrustPolicyDocument;
  readonly trustStores: NotationTrustStores;
  readonly now: Date;
  /**
   * How revocation is checked (OCSP/CRL through an injected fetcher). Absent, or fetching off:
   * nothing is fetched, and a signing chain that publishes revocation information is
   * REVOCATION_UNKNOWN (the timestamping chain is then not evaluated).
   */
  readonly revocation?: RevocationContext | undefined;
}

export interface NotationOutcome {
  readonly valid: boolean;
  readonly message: string;
  readonly code?: NotationErrorCode | undefined;
  readonly details: NotationDetails;
  /** The earliest nextUpdate of the revocation statuses the outcome relied on. */
  readonly revocationValidUntil?: Date | undefined;
}

const ORDER: readonly CheckName[] = ['integrity', 'targetArtifact', 'authenticity', 'trustedIdentity', 'authenticTimestamp', 'expiry', 'revocation'];

export async function verifyNotationSignature(input: VerifyNotationSignatureInput): Promise<NotationOutcome> {
  const { subject, now } = input;
  const policy = findTrustPolicy(input.trustPolicy, subject.registry, subject.repository);
  if (!policy) {
    return {
      valid: false,
      code: 'NO_MATCHING_POLICY',
      message: `no trust policy applies to ${subject.registry}/${subject.repository}`,
      details: { checks: [] },
    };
  }
  const trustPolicy = { name: policy.name, level: policy.level };
  if (policy.level === 'skip') {
    return {
      valid: true,
      message: `signature verification is skipped by trust policy "${policy.name}"`,
      details: { trustPolicy, checks: ORDER.map((name) => ({ name, outcome: 'skipped' as const, message: 'level skip' })) },
    };
  }

  const checks: CheckResult[] = [];
  let env: SignedEnvelope;
  try {
    env = parseEnvelope(input.envelopeMediaType, input.envelope);
  } catch (e) {
    if (!(e instanceof NotationError)) throw e;
    checks.push({ name: 'integrity', outcome: 'fail', message: e.message });
    return finish(false, e.code, e.message, { trustPolicy, checks: withRemainingSkipped(checks) });
  }
  const leaf = env.certificateChain[0];
  const base: Omit<NotationDetails, 'checks'> = {
    envelopeType: env.envelopeType,
    signingScheme: env.signingScheme,
    signer: leaf ? stripFingerprint(describeCertificate(leaf)) : undefined,
    certificateChain: env.certificateChain.map((c) => describeCertificate(c).sha256),
    signingTime: env.signingTime.toISOString(),
    expiry: env.expiry?.toISOString() ?? null,
    timestamp: null,
    signingAgent: env.signingAgent,
    trustPolicy,
  };
  let details: NotationDetails = { ...base, checks };
  const logged: string[] = [];

  /** Records a finding under an action; returns a failing outcome when an enforced check failed. */
  const apply = (name: CheckName, finding: CheckFinding, action: ValidationAction): NotationOutcome | undefined => {
    if (action === 'skip') {
      checks.push({ name, outcome: 'skipped', message: `skipped by trust policy "${policy.name}"` });
      return undefined;
    }
    if (finding.ok) {
      checks.push({ name, outcome: 'pass', message: finding.message });
      return undefined;
    }
    if (action === 'log') {
      checks.push({ name, outcome: 'logged', message: finding.message });
      logged.push(`${name}: ${finding.message}`);
      return undefined;
    }
    checks.push({ name, outcome: 'fail', message: finding.message });
    return finish(false, finding.code, finding.message, { ...details, checks: withRemainingSkipped(checks) });
  };

  const authenticity = checkAuthenticity(env, policy, input.trustStores);
  const stop = apply('integrity', checkIntegrity(env), 'enforce')
    // The payload must name this subject whatever the level: a valid signature of another image proves nothing.
    ?? apply('targetArtifact', checkTargetArtifact(env.payload, subject), 'enforce')
    ?? apply('authenticity', authenticity, policy.actions.authenticity)
    ?? (leaf ? apply('trustedIdentity', checkTrustedIdentity(leaf, policy), policy.actions.authenticity) : undefined);
  if (stop) return stop;

  const ts = checkAuthenticTimestamp(env, policy, input.trustStores, now);
  const tsa = ts.timestamp?.tsaChain[0];
  if (ts.timestamp && tsa) {
    details = {
      ...details,
      timestamp: {
        genTime: ts.timestamp.genTime.toISOString(),
        earliest: ts.timestamp.earliest.toISOString(),
        latest: ts.timestamp.latest.toISOString(),
        tsa: describeCertificate(tsa).subject,
      },
    };
  }
  const stop2 = apply('authenticTimestamp', ts.finding, policy.actions.authenticTimestamp)
    ?? apply('expiry', checkExpiry(env, now), policy.actions.expiry);
  if (stop2) return stop2;

  // Revocation of the signing chain and, when the timestamp is trusted, of the TSA chain.
  let revocationValidUntil: Date | undefined;
  let revocation: CheckFinding = passed('skipped');
  if (policy.actions.revocation !== 'skip') {
    if (!input.revocation?.options.fetch || !input.revocation.fetcher) {
      // Fetching off: as before, only the signing chain is looked at, and publishing
      // revocation information at all makes its status unknown.
      revocation = checkRevocation(env.certificateChain);
    } else if (!authenticity.ok) {
      // URLs in an untrusted chain are the signer's choice: nothing is fetched for them.
      revocation = failed('REVOCATION_UNKNOWN', 'the certificate chain is not trusted, so its revocation information is not fetched');
    } else {
      const chains: ChainToCheck[] = [{ role: 'signing', chain: env.certificateChain }];
      const trustedTimestamp = ts.finding.ok && ts.timestamp ? ts.timestamp : undefined;
      if (trustedTimestamp) chains.push({ role: 'timestamping', chain: trustedTimestamp.tsaChain });
      const report = await checkChainRevocation(chains, trustedTimestamp?.latest, input.revocation);
      revocation = report.finding;
      revocationValidUntil = report.validUntil;
      details = { ...details, revocation: report.certificates };
    }
  }
  const stop3 = apply('revocation', revocation, policy.actions.revocation);
  if (stop3) return stop3;

  const who = base.signer?.subject ?? 'unknown signer';
  const suffix = logged.length > 0 ? `; logged: ${logged.join('; ')}` : '';
  return { ...finish(true, undefined, `signature by "${who}" is trusted by policy "${policy.name}" (${policy.level})${suffix}`, { ...details, checks }), ...(revocationValidUntil ? { revocationValidUntil } : {}) };
}

function finish(valid: boolean, code: NotationErrorCode | undefined, message: string, details: NotationDetails): NotationOutcome {
  return { valid, code, message, details };
}

function withRemainingSkipped(checks: CheckResult[]): CheckResult[] {
  const done = new Set(checks.map((c) => c.name));
  return [...checks, ...ORDER.filter((n) => !done.has(n)).map((name) => ({ name, outcome: 'skipped' as const, message: 'not evaluated after an earlier failure' }))];
}

function stripFingerprint<T extends { sha256: string }>(s: T): Omit<T, 'sha256'> {
  const { sha256: _ignored, ...rest } = s;
  return rest;
}
