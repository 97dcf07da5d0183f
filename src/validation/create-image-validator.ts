/**
 * The validation pipeline (SPEC "Validation"), per unique image, in parallel (bounded):
 *   exclude? → pinned? → resolve → targets (index / platforms) → referrers → verifiers (+ nested) → policy.
 * Every stage runs under the admission deadline; a stage that cannot finish becomes an
 * `errors[]` entry naming it (and the registry that did not answer), and the policy decides
 * what that means. One image's failures are that image's verdict: a policy error denies it, an
 * unexpected fault while validating it denies it, naming the cause. `admission.failurePolicy`
 * is not read here: it is for Portcullis itself being unable to answer (src/server/), never for
 * one image's registry or policy failing (docs/validation.md).
 */
import type { Logger } from 'pino';
import type { AdmissionContext, ImageValidator, ImageVerdict, ValidateOptions } from '../admission/ports.js';
import type { Cache } from '../cache/types.js';
import type { Metrics } from '../observability/metrics.js';
import { createImageMatcher } from '../admission/exclusions.js';
import { formatReference, parseReference } from '../oci/reference.js';
import type { Descriptor, ImageRef, ScopedRegistryClient } from '../oci/types.js';
import type { PolicyDecision, PolicyEngine, PolicyInput, PolicyRequest } from '../policy/types.js';
import type { Subject, Verifier, VerifierResult } from '../verifiers/verifier.js';
import { mapLimit } from './map-limit.js';
import { runStage, type StageError } from './run-stage.js';
import { coversLabel, platformName, selectTargets, type PlatformSelection, type Target } from './select-targets.js';
import { summarizeResults } from './summarize-results.js';
import { applicableVerifiers, listingOptions, verifySubject } from './verify-subject.js';
import { prefetchListing } from './prefetch-listing.js';
import { errorMessage } from '../shared/error-message.js';

export interface ImageValidatorConfig {
  /** Config `validation.platforms`. */
  readonly platforms: PlatformSelection;
  /** Config `validation.excludeImages`: globs over the image as written and its normalised name. */
  readonly excludeImages: readonly string[];
  /** Images validated at once. Default 16 (a Pod rarely has more; registry concurrency is bounded by the client). */
  readonly concurrency?: number | undefined;
  /** Referrers of one subject processed at once. Default 8. */
  readonly referrerConcurrency?: number | undefined;
  /** Cap on the layers of one referrer artifact, in bytes. Default 16 MiB. */
  readonly maxArtifactBytes?: number | undefined;
  /** Referrers looked at per subject. Default 64. */
  readonly maxReferrers?: number | undefined;
  /**
   * Config `validation.requireDigest` (default true): in enforce mode an image without a digest
   * is denied as not pinned instead of having its tag resolved now (the kubelet may pull
   * something else later). False: the tag is resolved, as in warn and audit mode.
   */
  readonly requireDigest?: boolean | undefined;
}

export interface ImageValidatorDeps {
  readonly client: ScopedRegistryClient;
  readonly verifiers: readonly Verifier[];
  readonly policy: PolicyEngine;
  readonly cache?: Cache | undefined;
  readonly config: ImageValidatorConfig;
  readonly metrics?: Pick<Metrics, 'verifierDuration'> | undefined;
  readonly logger?: Logger | undefined;
  /** Clock for verifiers (expiry checks); tests pin it. */
  readonly now?: (() => Date) | undefined;
}

/** What the pipeline found for one verified manifest, before the policy: also printed by `portcullis verify`. */
export interface TargetReport {
  readonly input: PolicyInput;
  readonly decision: PolicyDecision;
  /** Set when the policy could not decide (the target is then denied). */
  readonly policyError?: string | undefined;
}

/** A verdict plus everything behind it. */
export interface DetailedVerdict extends ImageVerdict {
  readonly excluded: boolean;
  readonly targets: readonly TargetReport[];
}

export interface DetailedImageValidator extends ImageValidator {
  validateDetailed(images: readonly string[], ctx: AdmissionContext, options?: ValidateOptions): Promise<DetailedVerdict[]>;
}

/** Why an image without a digest is denied in enforce mode (config `validation.requireDigest`). */
export const NOT_PINNED_REASON = 'image is not pinned to a digest: in enforce mode only the digest named in the Pod spec is verified '
  + '(the mutating webhook pins tags; an unpinned image means it did not run on this object). '
  + 'Pin the image (name@sha256:…), or set validation.requireDigest: false to resolve tags at validation time';


export function createImageValidator(deps: ImageValidatorDeps): DetailedImageValidator {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const isExcluded = createImageMatcher(config.excludeImages);

  async function decide(input: PolicyInput): Promise<TargetReport> {
    try {
      return { input, decision: await deps.policy.evaluate(input) };
    } catch (e) {
      // The policy could not decide on this image (e.g. a Rego runtime error on its input):
      // the image is denied, naming the error. Never allowed by admission.failurePolicy, which
      // would let any input that trips the policy through.
      const message = `policy error: ${errorMessage(e)}`;
      deps.logger?.error({ subject: input.subject.reference, err: errorMessage(e) }, 'policy evaluation failed');
      return { input, decision: { allowed: false, reasons: [message], warnings: [] }, policyError: message };
    }
  }

  /** A verdict for every image, whatever happens while validating it. */
  async function validateOneSafely(image: string, ctx: AdmissionContext, options: ValidateOptions | undefined): Promise<DetailedVerdict> {
    try {
      return await validateOne(image, ctx, options);
    } catch (e) {
      deps.logger?.error({ image, err: errorMessage(e) }, 'validating an image failed unexpectedly');
      return { image, allowed: false, reasons: [`validation failed: ${errorMessage(e)}`], warnings: [], summary: 'denied: validation failed', excluded: false, targets: [] };
    }
  }

  async function validateOne(image: string, ctx: AdmissionContext, options: ValidateOptions | undefined): Promise<DetailedVerdict> {
    let ref: ImageRef | undefined;
    let parseError: string | undefined;
    try { ref = parseReference(image); } catch (e) { parseError = errorMessage(e); }
    if (isExcluded(image, ref)) {
      return { image, allowed: true, reasons: [], warnings: [], summary: 'excluded by validation.excludeImages', excluded: true, targets: [] };
    }
    const request: PolicyRequest = {
      uid: ctx.request.uid, operation: ctx.request.operation, namespace: ctx.request.namespace, kind: ctx.request.kind,
      name: ctx.request.name, userInfo: ctx.request.userInfo,
    };
    if (!ref) {
      return { image, allowed: false, reasons: [`invalid image reference: ${parseError}`], warnings: [], summary: 'denied: invalid reference', excluded: false, targets: [] };
    }
    // Enforce mode verifies the digest the spec carries, never what a tag names now (SPEC
    // "Validation"; docs/validation.md). No mode given counts as enforce: fail closed.
    if (!ref.digest && config.requireDigest !== false && (options?.mode ?? 'enforce') === 'enforce') {
      return { image, allowed: false, reasons: [NOT_PINNED_REASON], warnings: [], summary: 'denied: not pinned to a digest', excluded: false, targets: [] };
    }
    let client = deps.client.withCredentialScope({
      namespace: ctx.request.namespace, serviceAccountName: ctx.pod.serviceAccountName, imagePullSecrets: ctx.pod.imagePullSecrets,
    });
    const subjectOf = (d: Descriptor, platform?: Target['platform']): Subject => ({
      reference: formatReference({ ...ref, digest: d.digest || undefined }), registry: ref.registry, repository: ref.repository, tag: ref.tag,
      digest: d.digest, mediaType: d.mediaType, size: d.size, ...(platform ? { platform } : {}),
    });
    const policySubject = (s: Subject): PolicyInput['subject'] => ({
      reference: s.reference, registry: s.registry, repository: s.repository, ...(s.tag !== undefined ? { tag: s.tag } : {}),
      digest: s.digest, mediaType: s.mediaType, ...(s.platform ? { platform: s.platform } : {}),
    });

    if (ref.digest) {
      // Digest-pinned: the listing goes out beside the HEAD below (prefetch-listing.ts). Its
      // options are those verify-subject.ts will ask with, so the early answer is the one used.
      const applicable = applicableVerifiers(deps.verifiers, subjectOf({ mediaType: '', digest: ref.digest, size: 0 }));
      if (applicable.length > 0) client = prefetchListing(client, ref, ref.digest, listingOptions(applicable), ctx.signal);
    }
    const resolved = await runStage('resolve', ctx.signal, '', async (s) => {
      const d = await client.resolve(ref, s);
      // The subject is the digest the spec names, whatever a resolver or a cache answers.
      if (ref.digest && d.digest !== ref.digest) throw new Error(`${ref.registry}/${ref.repository}@${ref.digest}: resolved to ${d.digest}, not the digest the image names`);
      return d;
    }, ref.registry);
    let targets: Target[];
    if (!resolved.ok) {
      targets = [{ descriptor: { mediaType: '', digest: ref.digest ?? '', size: 0 }, errors: [resolved.error] }];
    } else {
      targets = await selectTargets(client, ref, resolved.value, config.platforms, ctx.signal, '', ref.registry);
    }

    const reports = await Promise.all(targets.map(async (t): Promise<TargetReport> => {
      const subject = subjectOf(t.descriptor, t.platform);
      let results: VerifierResult[] = [];
      const errors: StageError[] = [...t.errors];
      if (t.errors.length === 0 || resolved.ok) {
        if (t.descriptor.digest) {
          const r = await verifySubject({
            client, verifiers: deps.verifiers, cache: deps.cache, metrics: deps.metrics, logger: deps.logger, now,
            maxArtifactBytes: config.maxArtifactBytes ?? 16 * 1024 * 1024,
            maxReferrers: config.maxReferrers ?? 64,
            referrerConcurrency: config.referrerConcurrency ?? 8,
          }, ref, subject, deps.verifiers, ctx.signal);
          results = r.results;
          errors.push(...r.errors);
        }
      }
      return decide({ subject: policySubject(subject), request, results, errors: errors.map((e) => ({ stage: e.stage, message: e.message })) });
    }));

    // Each target's reasons say which manifest they are about: a platform, or the index when it
    // verifies on behalf of entries not verified by themselves (naming them).
    const labels = new Map(reports.map((r, i) => {
      const t = targets[i]!;
      return [r, t.platform ? `${platformName(t.platform)}: ` : t.covers ? `${coversLabel(t.covers)}: ` : ''];
    }));
    const label = (r: TargetReport) => labels.get(r) ?? '';
    const allowed = reports.every((r) => r.decision.allowed);
    const reasons = reports.flatMap((r) => r.decision.reasons.map((x) => `${label(r)}${x}`));
    const warnings = [...new Set(reports.flatMap((r) => r.decision.warnings.map((x) => `${label(r)}${x}`)))];
    const summary = `${allowed ? 'allowed' : 'denied'}: ${reports.map((r) => `${label(r)}${summarizeResults(r.input.results, r.input.errors)}`).join('; ')}`;
    return { image, allowed, reasons, warnings, summary, excluded: false, targets: reports };
  }

  async function validateDetailed(images: readonly string[], ctx: AdmissionContext, options?: ValidateOptions): Promise<DetailedVerdict[]> {
    const unique = [...new Set(images)];
    return mapLimit(unique, deps.config.concurrency ?? 16, (image) => validateOneSafely(image, ctx, options));
  }

  return {
    validateDetailed,
    async validate(images, ctx, options) {
      const detailed = await validateDetailed(images, ctx, options);
      return detailed.map(({ image, allowed, reasons, warnings, summary }) => ({ image, allowed, reasons, warnings, summary }));
    },
  };
}
