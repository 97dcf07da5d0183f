/**
 * The shape the `sbom` and `vulnerabilityreport` verifiers share: a document attached to the
 * image is read and checked by the type's own `evaluate`, the optional signature requirement
 * is decided on the nested results the pipeline hands over (`ctx.nested`), and any failure
 * becomes a failed result with a code — `verify` never throws (SPEC "Verifiers").
 */
import { errorMessage } from '../../shared/error-message.js';
import type { ReferrerArtifact, Verifier, VerifierResult } from '../verifier.js';
import { verifierResult } from '../verifier.js';
import { checkSignatureRequirement, signatureDetails, type SignatureRequirementOutcome } from './check-signature-requirement.js';
import { summarizeFailures } from './summarize-failures.js';

/** At most this many violations are listed in `details.violations` (`violationCount` has them all). */
export const MAX_LISTED_VIOLATIONS = 100;

export interface DocumentEvaluation {
  /** How the document is named in messages, e.g. `SBOM (SPDX 2.3, 12 packages)`. */
  readonly what: string;
  readonly violations: readonly { readonly message: string }[];
  /** Type-specific details; violations and the signature outcome are added here. */
  readonly details: Record<string, unknown>;
  /** The document's creation time: with `maximumAgeMs`, when a valid result expires. */
  readonly created?: Date | undefined;
}

export interface DocumentVerifierSpec {
  readonly name: string;
  readonly type: 'sbom' | 'vulnerabilityreport';
  readonly artifactTypes: readonly string[];
  readonly configHash: string;
  readonly requirement: { readonly verifiers: readonly string[] } | undefined;
  readonly maximumAgeMs?: number | undefined;
  /** The document in messages: `SBOM`, `vulnerability report`. */
  readonly noun: string;
  /** Reads and checks the document; throws the type's coded error when it cannot. */
  evaluate(artifact: ReferrerArtifact, now: Date): DocumentEvaluation;
  /** Turns anything `evaluate` threw into the type's error code and message. */
  toError(cause: unknown): { readonly code: string; readonly message: string };
  /** Details still worth reporting when evaluation failed. */
  failureDetails?(artifact: ReferrerArtifact): Record<string, unknown>;
}

export function createDocumentVerifier(spec: DocumentVerifierSpec): Verifier {
  const verifier: Verifier = {
    name: spec.name,
    type: spec.type,
    artifactTypes: spec.artifactTypes,
    nestedRequirement: spec.requirement,
    configHash: () => spec.configHash,
    async verify(_subject, artifact, ctx): Promise<VerifierResult> {
      const nested = ctx.nested;
      const signature = spec.requirement ? checkSignatureRequirement(spec.requirement, nested) : undefined;
      const signatureInfo = signature ? { signature: signatureDetails(signature) } : {};
      let evaluation: DocumentEvaluation;
      try {
        evaluation = spec.evaluate(artifact, ctx.now);
      } catch (cause) {
        const error = spec.toError(cause);
        return verifierResult(verifier, artifact, {
          valid: false,
          message: `${spec.noun} could not be evaluated: ${error.message}`,
          details: { ...spec.failureDetails?.(artifact), ...signatureInfo },
          nested,
          error: { code: error.code, message: error.message },
        });
      }
      const { what, violations, created } = evaluation;
      const valid = violations.length === 0 && (signature?.satisfied ?? true);
      const details = {
        ...evaluation.details,
        violationCount: violations.length,
        violations: violations.slice(0, MAX_LISTED_VIOLATIONS),
        ...signatureInfo,
      };
      const message = valid
        ? `${what} meets the policy${signature ? `, signed (${signature.trustedBy.join(', ')})` : ''}`
        : failureMessage(spec.noun, violations, signature);
      const expiresAt = valid && spec.maximumAgeMs !== undefined && created ? new Date(created.getTime() + spec.maximumAgeMs).toISOString() : undefined;
      return verifierResult(verifier, artifact, { valid, message, details, nested, ...(expiresAt ? { expiresAt } : {}) });
    },
  };
  return verifier;
}

/** `unexpected failure: …` for anything a document verifier did not anticipate. */
export function unexpectedFailure(cause: unknown): string {
  return `unexpected failure: ${errorMessage(cause)}`;
}

function failureMessage(noun: string, violations: readonly { readonly message: string }[], signature: SignatureRequirementOutcome | undefined): string {
  const parts: string[] = [];
  if (signature && !signature.satisfied) parts.push(`${noun} is not signed by a trusted signer: ${signature.reason ?? ''}`);
  if (violations.length > 0) parts.push(`${noun} has ${summarizeFailures(violations.map((v) => v.message), 'violation')}`);
  return parts.join('; ');
}
