/**
 * The Cosign verifier: legacy `.sig` signatures and Sigstore bundle referrers, verified
 * against configured keys and/or keyless identities (SPEC "Verifiers"). Pure: every key and
 * trust root was loaded by the factory; `verify` only reads the bytes it is handed. Keys and
 * the trust root kept in Kubernetes Secrets are swapped in whole (`useMaterial`) between
 * verifications; a verification uses the material current when it started.
 */
import picomatch from 'picomatch';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE, COSIGN_SIMPLESIGNING_LAYER, SIGSTORE_BUNDLE_TYPES } from '../../oci/media-types.js';
import { canonicalNamePattern } from '../../oci/registry-identity.js';
import { verifierResult, type ReferrerArtifact, type Subject, type Verifier, type VerifierResult, type VerifyContext } from '../verifier.js';
import { DEFAULT_STATEMENT_LIMITS, type InTotoStatement, type StatementLimits } from './attestation/read-in-toto-statement.js';
import { verifyLegacyAttestation } from './attestation/verify-legacy-attestation.js';
import { verifyBundle } from './bundle/verify-bundle.js';
import { CosignError } from './cosign-error.js';
import { DSSE_ENVELOPE_LAYER, readLegacySignatures } from './legacy/read-legacy-signatures.js';
import { verifyLegacyLayer } from './legacy/verify-legacy-layer.js';
import { parseJson } from './parse-json.js';
import type { SbomRules } from '../sbom/find-sbom-violations.js';
import { checkSbomPredicate, type SbomPredicateCheck } from '../sbom/sbom-predicate-rules.js';
import type { CosignPolicy, SignatureOutcome } from './verify-signed-entity.js';

/** One entry of `details.signatures` (docs/verifiers/cosign.md). */
export interface CosignSignatureDetail {
  readonly format: 'legacy' | 'bundle';
  /** Layer index in the `.sig` manifest (legacy only). */
  readonly layer?: number;
  readonly key?: string;
  readonly keyFingerprint?: string;
  readonly identity?: string;
  readonly issuer?: string;
  readonly predicateType?: string;
  readonly tlog: { readonly logIndex: number; readonly integratedTime: number | null } | null;
  readonly valid: boolean;
  readonly failedCheck?: string;
  readonly message: string;
}

/**
 * One entry of `details.attestations`: a verified in-toto statement about this image, with its
 * predicate for the policy (docs/verifiers/attestations.md). Only valid signatures yield one.
 */
export interface CosignAttestationDetail {
  readonly format: 'legacy' | 'bundle';
  readonly layer?: number;
  readonly predicateType: string;
  /** The statement's `_type`. */
  readonly statementType: string;
  /** The predicate as signed: plain JSON within `statementLimits`. */
  readonly predicate: unknown;
  /** With `sbomRules`, for SPDX/CycloneDX predicates: the SBOM rules' verdict. */
  readonly sbom?: SbomPredicateCheck | undefined;
  readonly key?: string;
  readonly identity?: string;
  readonly issuer?: string;
}

export interface CosignVerifierSettings {
  readonly name: string;
  readonly artifactTypes: readonly string[];
  readonly scopes: readonly string[];
  readonly policy: CosignPolicy;
  readonly predicateTypes?: readonly string[] | undefined;
  readonly statementLimits?: StatementLimits | undefined;
  /** Applied to verified SBOM predicates (`details.attestations[].sbom`). */
  readonly sbomRules?: SbomRules | undefined;
  readonly configHash: string;
}

type Kind = 'sig' | 'att' | 'bundle';

interface Outcome {
  readonly detail: CosignSignatureDetail;
  readonly statement?: InTotoStatement | undefined;
}

/** The part of the settings that changes when watched trust material changes. */
interface Material {
  readonly policy: CosignPolicy;
  readonly configHash: string;
}

export class CosignVerifier implements Verifier {
  readonly type = 'cosign' as const;
  readonly name: string;
  readonly artifactTypes: readonly string[];
  private readonly settings: CosignVerifierSettings;
  private material: Material;
  private readonly inScope: (path: string) => boolean;

  constructor(settings: CosignVerifierSettings) {
    this.settings = settings;
    this.material = { policy: settings.policy, configHash: settings.configHash };
    this.name = settings.name;
    this.artifactTypes = settings.artifactTypes;
    // Globs over canonical names (docs/registry-identity.md), so every spelling of a registry is in scope.
    this.inScope = picomatch(settings.scopes.map(canonicalNamePattern), { dot: true });
  }

  configHash(): string {
    return this.material.configHash;
  }

  /** Replaces keys and trust root at once (a reload of watched trust material). */
  useMaterial(policy: CosignPolicy, configHash: string): void {
    this.material = { policy, configHash };
  }

  /** Scopes match canonical `registry/repository` of the digest-pinned reference (tags play no part). */
  appliesTo(subject: Subject): boolean {
    return this.inScope(`${subject.registry}/${subject.repository}`);
  }

  async verify(subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext): Promise<VerifierResult> {
    ctx.signal.throwIfAborted();
    const { policy } = this.material;
    let kind: Kind | undefined;
    let outcomes: Outcome[];
    try {
      kind = this.kindOf(artifact);
      outcomes = kind === 'bundle' ? [this.verifyBundleArtifact(subject, artifact, policy)] : this.verifyLegacy(kind, subject, artifact, ctx, policy);
    } catch (err) {
      const e = err instanceof CosignError ? err : new CosignError('MALFORMED', (err as Error).message, { cause: err });
      return verifierResult(this, artifact, {
        valid: false,
        message: `cannot read Cosign ${kind === 'att' ? 'attestation' : 'signature'} ${artifact.descriptor.digest}: ${e.message}`,
        details: { signatures: [], attestations: [] },
        error: { code: e.code, message: e.message },
      });
    }
    const good = outcomes.find((o) => o.detail.valid);
    const firstBad = outcomes.find((o) => !o.detail.valid);
    const what = kind === 'att' ? 'attestation' : 'signature';
    const more = outcomes.length > 1 ? ` (${outcomes.length} ${what}s, none valid)` : '';
    return verifierResult(this, artifact, {
      valid: good !== undefined,
      message: good ? good.detail.message : `no valid Cosign ${what}: ${firstBad?.detail.message ?? 'none found'}${more}`,
      details: { signatures: outcomes.map((o) => o.detail), attestations: outcomes.flatMap((o) => attestationDetail(o, this.settings.sbomRules, ctx.now)) },
    });
  }

  private kindOf(artifact: ReferrerArtifact): Kind {
    const type = artifact.descriptor.artifactType;
    if (type === COSIGN_LEGACY_SIGNATURE) return 'sig';
    if (type === COSIGN_LEGACY_ATTESTATION) return 'att';
    if (type && SIGSTORE_BUNDLE_TYPES.includes(type)) return 'bundle';
    // No artifact type listed (tag schema without one): look at the layers.
    const manifest = parseJson(artifact.manifest.bytes, 'the referrer manifest', 4 * 1024 * 1024) as { layers?: { mediaType?: unknown }[] };
    const layers = Array.isArray(manifest.layers) ? manifest.layers : [];
    if (layers.some((l) => l?.mediaType === COSIGN_SIMPLESIGNING_LAYER)) return 'sig';
    if (layers.some((l) => l?.mediaType === DSSE_ENVELOPE_LAYER)) return 'att';
    return layers.some((l) => typeof l?.mediaType === 'string' && SIGSTORE_BUNDLE_TYPES.includes(l.mediaType)) ? 'bundle' : 'sig';
  }

  private verifyLegacy(kind: 'sig' | 'att', subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext, policy: CosignPolicy): Outcome[] {
    const limits = this.settings.statementLimits ?? DEFAULT_STATEMENT_LIMITS;
    const layers = readLegacySignatures(artifact, kind === 'att' ? { kind, maxStatementBytes: limits.maxBytes } : { kind });
    return layers.map((layer) => {
      ctx.signal.throwIfAborted();
      if (kind === 'sig') return { detail: detail('legacy', verifyLegacyLayer(layer, subject.digest, policy), layer.index) };
      const o = verifyLegacyAttestation(layer, subject.digest, policy, { predicateTypes: this.settings.predicateTypes, statementLimits: limits });
      const message = o.valid ? `${o.predicateType ?? 'in-toto'} attestation ${o.message}` : o.message;
      return { detail: detail('legacy', { ...o, message }, layer.index), statement: o.statement };
    });
  }

  private verifyBundleArtifact(subject: Subject, artifact: ReferrerArtifact, policy: CosignPolicy): Outcome {
    const manifest = parseJson(artifact.manifest.bytes, 'the bundle manifest', 4 * 1024 * 1024) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
    const layers = Array.isArray(manifest.layers) ? manifest.layers : [];
    const index = layers.findIndex((l) => typeof l?.mediaType === 'string' && SIGSTORE_BUNDLE_TYPES.includes(l.mediaType));
    const blob = artifact.blobs[index === -1 ? 0 : index];
    if (!blob || (index !== -1 && blob.descriptor.digest !== layers[index]?.digest)) {
      throw new CosignError('MALFORMED', 'the referrer has no Sigstore bundle layer');
    }
    const outcome = verifyBundle(blob.bytes, { digest: subject.digest }, policy, { predicateTypes: this.settings.predicateTypes, statementLimits: this.settings.statementLimits });
    return { detail: detail('bundle', outcome), statement: outcome.statement };
  }
}

function attestationDetail(o: Outcome, sbomRules: SbomRules | undefined, now: Date): CosignAttestationDetail[] {
  const { detail: d, statement } = o;
  if (!d.valid || !statement) return [];
  const sbom = sbomRules ? checkSbomPredicate(statement.predicateType, statement.predicate, sbomRules, now) : undefined;
  return [
    {
      format: d.format,
      ...(d.layer !== undefined ? { layer: d.layer } : {}),
      predicateType: statement.predicateType ?? '',
      statementType: statement.type,
      predicate: statement.predicate,
      ...(sbom ? { sbom } : {}),
      ...(d.key !== undefined ? { key: d.key } : {}),
      ...(d.identity !== undefined ? { identity: d.identity, issuer: d.issuer } : {}),
    },
  ];
}

function detail(format: 'legacy' | 'bundle', o: SignatureOutcome & { predicateType?: string | undefined }, layer?: number): CosignSignatureDetail {
  const s = o.signer;
  return {
    format,
    ...(layer !== undefined ? { layer } : {}),
    ...(s && 'key' in s ? { key: s.key, keyFingerprint: s.fingerprint } : {}),
    ...(s && 'identity' in s ? { identity: s.identity, issuer: s.issuer } : {}),
    ...(o.predicateType ? { predicateType: o.predicateType } : {}),
    tlog: o.tlog,
    valid: o.valid,
    ...(o.failedCheck ? { failedCheck: o.failedCheck } : {}),
    message: o.message,
  };
}
