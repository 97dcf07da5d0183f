/**
 * The `intoto` verifier: in-toto statements attached to the image as OCI artifacts (`oras
 * attach --artifact-type application/vnd.in-toto+json`, or BuildKit attestation manifests with
 * one statement per layer) and signed on their manifest, typically with `notation sign`
 * (docs/verifiers/attestations.md "In-toto statements signed with Notation").
 *
 * The Notary Project signature payload is a descriptor of the signed artifact
 * (https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#payload),
 * so a Notation-signed statement is always a referrer of its own: the signature covers the
 * statement's manifest, whose layer digests cover the statement bytes (each digest-checked by
 * the registry client). The pipeline verifies the statement's signatures with the signature
 * verifiers (`nestedRequirement`) and hands them over as `ctx.nested`; this verifier then
 * checks each statement's subject against the image digest and its predicate type, and puts
 * the predicate into `details.attestations` as the `cosign` verifier does.
 * Pure: no I/O; `verify` never throws.
 */
import { checkSignatureRequirement, signatureDetails } from '../document/check-signature-requirement.js';
import { baseMediaType } from '../document/select-document-blob.js';
import { stableHash } from '../document/stable-hash.js';
import { checkSbomPredicate, type SbomPredicateCheck } from '../sbom/sbom-predicate-rules.js';
import { CosignError } from '../cosign/cosign-error.js';
import { checkStatement, IN_TOTO_PAYLOAD_TYPE, readInTotoStatement } from '../cosign/attestation/read-in-toto-statement.js';
import type { ReferrerArtifact, Subject, Verifier, VerifierFactory, VerifierResult, VerifyContext } from '../verifier.js';
import { verifierResult } from '../verifier.js';
import { parseInTotoOptions, type InTotoOptions } from './in-toto-options.js';

/** Statements read from one referrer at most (a BuildKit manifest has one per SBOM and provenance). */
const MAX_STATEMENTS = 16;

export interface InTotoAttestation {
  readonly format: 'oci-artifact';
  readonly layer: number;
  readonly predicateType: string | undefined;
  readonly statementType: string;
  readonly predicate: unknown;
  /** With `sbomRules`, for SPDX/CycloneDX predicates: the SBOM rules' verdict. */
  readonly sbom?: SbomPredicateCheck | undefined;
  /** The signature verifiers whose valid results vouch for the statement's manifest. */
  readonly signedBy: readonly string[];
}

export const createInTotoVerifier: VerifierFactory = async (entry, path) => inTotoVerifier(parseInTotoOptions(entry, path));

export function inTotoVerifier(options: InTotoOptions): Verifier {
  const hash = stableHash(options);
  const verifier: Verifier = {
    name: options.name,
    type: 'intoto',
    artifactTypes: options.artifactTypes,
    nestedRequirement: options.requirement,
    configHash: () => hash,
    async verify(subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext): Promise<VerifierResult> {
      const nested = ctx.nested;
      const signature = checkSignatureRequirement(options.requirement, nested);
      const signatureInfo = { signature: signatureDetails(signature) };
      if (!signature.satisfied) {
        // Nothing of an unsigned statement is read: its bytes are anyone's who can push.
        const message = `in-toto statement is not signed by a trusted signer: ${signature.reason ?? ''}`;
        return verifierResult(verifier, artifact, { valid: false, message, details: signatureInfo, nested, error: { code: 'NOT_SIGNED', message } });
      }
      const layers = statementLayers(artifact);
      if (layers.length === 0) {
        const message = `the referrer has no in-toto statement layer (${IN_TOTO_PAYLOAD_TYPE})`;
        return verifierResult(verifier, artifact, { valid: false, message, details: signatureInfo, nested, error: { code: 'NO_STATEMENT', message } });
      }
      const attestations: InTotoAttestation[] = [];
      const failures: { layer: number; predicateType?: string; code: string; message: string }[] = [];
      for (const { index, bytes } of layers.slice(0, MAX_STATEMENTS)) {
        let predicateType: string | undefined;
        try {
          const statement = readInTotoStatement(IN_TOTO_PAYLOAD_TYPE, bytes, options.statementLimits);
          predicateType = statement.predicateType;
          checkStatement(statement, subject.digest, options.predicateTypes);
          const sbom = options.sbomRules ? checkSbomPredicate(predicateType, statement.predicate, options.sbomRules, ctx.now) : undefined;
          attestations.push({ format: 'oci-artifact', layer: index, predicateType, statementType: statement.type, predicate: statement.predicate, ...(sbom ? { sbom } : {}), signedBy: signature.trustedBy });
        } catch (err) {
          const e = err instanceof CosignError ? err : new CosignError('MALFORMED', (err as Error).message, { cause: err });
          failures.push({ layer: index, ...(predicateType ? { predicateType: predicateType.slice(0, 200) } : {}), code: e.code, message: e.message });
        }
      }
      const details = { ...signatureInfo, attestations, ...(failures.length > 0 ? { failures } : {}) };
      const first = attestations[0];
      if (first) {
        const types = [...new Set(attestations.map((a) => a.predicateType ?? '(no predicate type)'))].join(', ');
        return verifierResult(verifier, artifact, { valid: true, message: `${types} attestation signed (${signature.trustedBy.join(', ')})`, details, nested });
      }
      const f = failures[0]!;
      const message = failures.length === 1 ? f.message : `${f.message} (and ${failures.length - 1} more statement(s) refused)`;
      return verifierResult(verifier, artifact, { valid: false, message, details, nested, error: { code: f.code, message } });
    },
  };
  return verifier;
}

/**
 * The statement layers: those of media type `application/vnd.in-toto+json`; failing that, in a
 * referrer whose artifact type is that media type, its first layer (`oras attach` without
 * `file:type` writes `application/vnd.oci.image.layer.v1.tar`).
 */
function statementLayers(artifact: ReferrerArtifact): { index: number; bytes: Uint8Array }[] {
  const typed = artifact.blobs.flatMap((b, index) => (baseMediaType(b.descriptor.mediaType) === IN_TOTO_PAYLOAD_TYPE ? [{ index, bytes: b.bytes }] : []));
  if (typed.length > 0) return typed;
  const first = artifact.blobs[0];
  return baseMediaType(artifact.descriptor.artifactType) === IN_TOTO_PAYLOAD_TYPE && first ? [{ index: 0, bytes: first.bytes }] : [];
}
