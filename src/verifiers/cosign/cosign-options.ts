/**
 * The `verifiers[i]` entry of `type: cosign` (SPEC "Verifiers"; docs/verifiers/cosign.md).
 * Validated with zod; unknown keys are refused so a typo never silently weakens a policy.
 */
import { z } from 'zod';
import { ConfigError } from '../../shared/coded-error.js';
import { sbomRulesOption } from '../sbom/sbom-predicate-rules.js';

const nonEmpty = z.string().min(1);

/** `statementLimits` of an attestation verifier (cosign with predicateTypes, intoto). */
export const statementLimitsOption = z
  .strictObject({
    maxBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    maxDepth: z.number().int().min(3).max(256).default(32),
  })
  .default({ maxBytes: 1024 * 1024, maxDepth: 32 });

/** One trusted keyless identity: subject (SAN) and OIDC issuer, each exact or a regular expression. */
const identitySchema = z
  .strictObject({
    subject: nonEmpty.optional(),
    subjectRegExp: nonEmpty.optional(),
    issuer: nonEmpty.optional(),
    issuerRegExp: nonEmpty.optional(),
  })
  .refine((i) => (i.subject === undefined) !== (i.subjectRegExp === undefined), {
    message: 'give exactly one of subject or subjectRegExp',
  })
  .refine((i) => (i.issuer === undefined) !== (i.issuerRegExp === undefined), {
    message: 'give exactly one of issuer or issuerRegExp',
  });

export const cosignOptionsSchema = z
  .strictObject({
    name: nonEmpty,
    type: z.literal('cosign'),
    artifactTypes: z.array(nonEmpty).min(1).optional(),
    /** A public key: a file path, the PEM itself, or a Kubernetes Secret (`secret:<ns>/<name>[/<key>]`, watched). */
    key: nonEmpty.optional(),
    /** Several public keys (paths, PEM or `secret:` references); a signature by any one of them is accepted. */
    keys: z.array(nonEmpty).min(1).optional(),
    keyless: z.strictObject({ identities: z.array(identitySchema).min(1) }).optional(),
    /** Path of a Sigstore `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, TSAs), or `secret:<ns>/<name>/<key>`. */
    trustedRoot: nonEmpty.optional(),
    tlog: z.strictObject({ required: z.boolean().default(true) }).default({ required: true }),
    sct: z.strictObject({ required: z.boolean().default(true) }).default({ required: true }),
    /** Registry/repository globs (picomatch) of the images this verifier applies to. */
    scopes: z.array(nonEmpty).min(1).default(['**']),
    /**
     * In-toto predicate types accepted (DSSE bundles and `.att` layers); absent: any. Setting it
     * makes this an attestation verifier: its default artifact types become `.att` and bundles.
     */
    predicateTypes: z.array(nonEmpty).min(1).optional(),
    /** Bounds of a signed in-toto statement (its predicate goes into the policy input). */
    statementLimits: statementLimitsOption,
    /** The `sbom` verifier's licence and package rules, applied to verified SPDX/CycloneDX predicates. */
    sbomRules: sbomRulesOption,
  })
  .refine((o) => o.key !== undefined || o.keys !== undefined || o.keyless !== undefined, {
    message: 'configure at least one of key, keys or keyless',
  });

export type CosignOptions = z.infer<typeof cosignOptionsSchema>;
export type CosignIdentityOptions = z.infer<typeof identitySchema>;

/** Validates a raw config entry; a failure is a ConfigError naming `verifiers[i].field`. */
export function parseCosignOptions(entry: unknown, path: string): CosignOptions {
  const parsed = cosignOptionsSchema.safeParse(entry);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? joinPath(path, issue.path) : path;
  throw new ConfigError('INVALID_CONFIG', field, issue?.message ?? 'invalid cosign verifier options');
}

/** `verifiers[0]` + ['keyless', 'identities', 0, 'subject'] → `verifiers[0].keyless.identities[0].subject`. */
export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : `.${String(s)}`;
  return out;
}
