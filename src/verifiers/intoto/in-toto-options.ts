/**
 * The `verifiers[i]` entry of `type: intoto` (docs/verifiers/attestations.md "In-toto statements
 * signed with Notation"): in-toto statements attached to the image as OCI artifacts, whose own
 * signature (a Notation signature on the statement's manifest, or a Cosign one) is verified by
 * the signature verifiers the pipeline runs on the statement's referrers.
 */
import { z } from 'zod';
import { statementLimitsOption } from '../cosign/cosign-options.js';
import type { SbomRules } from '../sbom/find-sbom-violations.js';
import { sbomRulesOption } from '../sbom/sbom-predicate-rules.js';
import { configErrorFromZod } from '../document/config-error-from-zod.js';
import type { VerifierConfigEntry } from '../verifier.js';

/** The statement itself, as `oras attach --artifact-type application/vnd.in-toto+json` writes it. */
export const IN_TOTO_ARTIFACT = 'application/vnd.in-toto+json';
/**
 * BuildKit's attestation manifest (https://docs.docker.com/build/metadata/attestations/attestation-storage/),
 * an OCI referrer of the platform manifest when built with `oci-artifact=true`; one in-toto
 * statement per layer (`application/vnd.in-toto+json`).
 */
export const DOCKER_ATTESTATION_MANIFEST = 'application/vnd.docker.attestation.manifest.v1+json';

export const DEFAULT_IN_TOTO_ARTIFACT_TYPES: readonly string[] = [IN_TOTO_ARTIFACT, DOCKER_ATTESTATION_MANIFEST];

const nonEmpty = z.string().min(1);

const schema = z.strictObject({
  name: nonEmpty,
  type: z.literal('intoto'),
  artifactTypes: z.array(nonEmpty).min(1).default([...DEFAULT_IN_TOTO_ARTIFACT_TYPES]),
  /** In-toto predicate types accepted; absent: any. */
  predicateTypes: z.array(nonEmpty).min(1).optional(),
  statementLimits: statementLimitsOption,
  /** The `sbom` verifier's licence and package rules, applied to SPDX/CycloneDX predicates. */
  sbomRules: sbomRulesOption,
  /**
   * Which signature verifiers must vouch for the statement: `true` (any notation or cosign
   * verifier, the default) or `{verifiers: [names]}`. `false` is refused: an unsigned statement
   * is something anyone who can push to the repository wrote, never a fact for the policy.
   */
  requireSignature: z
    .union([z.literal(true), z.strictObject({ verifiers: z.array(nonEmpty).min(1) })], {
      error: 'true, or {verifiers: [names]}; an in-toto statement must be signed (false is not accepted)',
    })
    .default(true),
});

export interface InTotoOptions {
  readonly name: string;
  readonly artifactTypes: readonly string[];
  readonly predicateTypes?: readonly string[] | undefined;
  readonly statementLimits: { readonly maxBytes: number; readonly maxDepth: number };
  readonly sbomRules?: SbomRules | undefined;
  /** The pipeline's nested requirement: the named verifiers, or any signature verifier when empty. */
  readonly requirement: { readonly verifiers: readonly string[] };
}

/** Validates a `type: intoto` entry; a failure is a ConfigError naming `verifiers[i].field`. */
export function parseInTotoOptions(entry: VerifierConfigEntry, path: string): InTotoOptions {
  const parsed = schema.safeParse(entry);
  if (!parsed.success) throw configErrorFromZod(parsed.error, path);
  const o = parsed.data;
  return {
    name: o.name,
    artifactTypes: o.artifactTypes,
    predicateTypes: o.predicateTypes,
    statementLimits: o.statementLimits,
    sbomRules: o.sbomRules,
    requirement: { verifiers: o.requireSignature === true ? [] : o.requireSignature.verifiers },
  };
}
