/**
 * The Cosign verifier: legacy `.sig` signatures and Sigstore bundle referrers, verified
 * against configured keys and/or keyless identities (SPEC "Verifiers"). Pure: every key and
 * trust root was loaded by the factory; `verify` only reads the bytes it is handed. Keys and
 * the trust root kept in Kubernetes Secrets are swapped in whole (`useMaterial`) between
 * verifications; a verification uses the material current when it started.
 */
import picomatch from 'picomatch';
import { COSIGN_LEGACY_SIGNATURE, COSIGN_SIMPLESIGNING_LAYER, SIGSTORE_BUNDLE_TYPES } from '../../oci/media-types.js';
import { canonicalNamePattern } from '../../oci/registry-identity.js';
import { verifierResult, type ReferrerArtifact, type Subject, type Verifier, type VerifierResult, type VerifyContext } from '../verifier.js';
import { verifyBundle, type BundleOutcome } from './bundle/verify-bundle.js';
import { CosignError } from './cosign-error.js';
import { readLegacySignatures } from './legacy/read-legacy-signatures.js';
import { verifyLegacyLayer } from './legacy/verify-legacy-layer.js';
import { parseJson } from './parse-json.js';
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

export interface CosignVerifierSettings {
  readonly name: string;
  readonly artifactTypes: readonly string[];
  readonly scopes: readonly string[];
  readonly policy: CosignPolicy;
  readonly predicateTypes?: readonly string[] | undefined;
  readonly configHash: string;
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
    let outcomes: CosignSignatureDetail[];
    try {
      outcomes = this.isBundle(artifact) ? [this.verifyBundleArtifact(subject, artifact, policy)] : this.verifyLegacy(subject, artifact, ctx, policy);
    } catch (err) {
      const e = err instanceof CosignError ? err : new CosignError('MALFORMED', (err as Error).message, { cause: err });
      return verifierResult(this, artifact, {
        valid: false,
        message: `cannot read Cosign signature ${artifact.descriptor.digest}: ${e.message}`,
        details: { signatures: [] },
        error: { code: e.code, message: e.message },
      });
    }
    const good = outcomes.find((o) => o.valid);
    const firstBad = outcomes.find((o) => !o.valid);
    const more = outcomes.length > 1 ? ` (${outcomes.length} signatures, none valid)` : '';
    return verifierResult(this, artifact, {
      valid: good !== undefined,
      message: good ? good.message : `no valid Cosign signature: ${firstBad?.message ?? 'none found'}${more}`,
      details: { signatures: outcomes },
    });
  }

  private isBundle(artifact: ReferrerArtifact): boolean {
    const type = artifact.descriptor.artifactType;
    if (type === COSIGN_LEGACY_SIGNATURE) return false;
    if (type && SIGSTORE_BUNDLE_TYPES.includes(type)) return true;
    // No artifact type listed (tag schema without one): look at the layers.
    const manifest = parseJson(artifact.manifest.bytes, 'the referrer manifest', 4 * 1024 * 1024) as { layers?: { mediaType?: unknown }[] };
    const layers = Array.isArray(manifest.layers) ? manifest.layers : [];
    if (layers.some((l) => l?.mediaType === COSIGN_SIMPLESIGNING_LAYER)) return false;
    return layers.some((l) => typeof l?.mediaType === 'string' && SIGSTORE_BUNDLE_TYPES.includes(l.mediaType));
  }

  private verifyLegacy(subject: Subject, artifact: ReferrerArtifact, ctx: VerifyContext, policy: CosignPolicy): CosignSignatureDetail[] {
    return readLegacySignatures(artifact).map((layer) => {
      ctx.signal.throwIfAborted();
      return detail('legacy', verifyLegacyLayer(layer, subject.digest, policy), layer.index);
    });
  }

  private verifyBundleArtifact(subject: Subject, artifact: ReferrerArtifact, policy: CosignPolicy): CosignSignatureDetail {
    const manifest = parseJson(artifact.manifest.bytes, 'the bundle manifest', 4 * 1024 * 1024) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
    const layers = Array.isArray(manifest.layers) ? manifest.layers : [];
    const index = layers.findIndex((l) => typeof l?.mediaType === 'string' && SIGSTORE_BUNDLE_TYPES.includes(l.mediaType));
    const blob = artifact.blobs[index === -1 ? 0 : index];
    if (!blob || (index !== -1 && blob.descriptor.digest !== layers[index]?.digest)) {
      throw new CosignError('MALFORMED', 'the referrer has no Sigstore bundle layer');
    }
    const outcome: BundleOutcome = verifyBundle(blob.bytes, { digest: subject.digest }, policy, this.settings.predicateTypes);
    return detail('bundle', outcome);
  }
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
