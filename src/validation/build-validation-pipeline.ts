/**
 * Composes the validation pipeline from a Config: verifiers (explicit registry), the policy
 * engine (bundle or bundled default, watched and hot-swapped) and the per-image validator.
 * Shared by `portcullis serve` (src/compose-ports.ts) and `portcullis verify`, so both decide
 * the same way.
 */
import type { Logger } from 'pino';
import type { Cache } from '../cache/types.js';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import type { ScopedRegistryClient } from '../oci/types.js';
import type { WasmPolicyEngineOptions } from '../policy/create-wasm-policy-engine.js';
import { startPolicyEngine, type RunningPolicyEngine } from '../policy/start-policy-engine.js';
import { buildVerifiers, closeVerifiers, verifierFactories } from '../verifiers/index.js';
import type { Verifier, VerifierConfigEntry, VerifierDeps, VerifierFactory, VerifierType } from '../verifiers/verifier.js';
import { createImageValidator, type DetailedImageValidator, type ImageValidatorConfig } from './create-image-validator.js';

export interface ValidationPipelineDeps {
  /** The registry client (with its cache decorator, if any); the pipeline does not close it. */
  readonly client: ScopedRegistryClient;
  /** Verifier results cache (kind `results`). */
  readonly cache?: Cache | undefined;
  readonly metrics?: Metrics | undefined;
  readonly logger: Logger;
  /** Watch `policy.bundle` and hot-swap it. Default true; `portcullis verify` turns it off. */
  readonly watchPolicy?: boolean | undefined;
  /** Overrides of config-derived validator limits. */
  readonly limits?: Pick<ImageValidatorConfig, 'concurrency' | 'referrerConcurrency' | 'maxArtifactBytes' | 'maxReferrers'> | undefined;
  /** For tests: other factories than the built-in registry. */
  readonly verifierFactories?: Readonly<Record<VerifierType, VerifierFactory>> | undefined;
  readonly now?: (() => Date) | undefined;
  /** Resolves `secret:` trust material values (VerifierDeps.trustSource); absent: they are refused. */
  readonly trustSource?: VerifierDeps['trustSource'];
  /** Checks every policy before it goes live (the enforcement canary); throwing refuses it. */
  readonly acceptPolicy?: WasmPolicyEngineOptions['accept'];
  /** The revocation fetcher port and its metrics hook, handed to the verifiers. */
  readonly revocation?: Pick<VerifierDeps, 'revocationFetcher' | 'onRevocationEvent'> | undefined;
}

export interface ValidationPipeline {
  readonly validator: DetailedImageValidator;
  readonly policy: RunningPolicyEngine;
  readonly verifiers: readonly Verifier[];
  /** True once a policy is loaded (readiness). */
  ready(): boolean;
  /** Stops the policy watcher and the verifiers' trust-material watchers. */
  close(): Promise<void>;
}

type PipelineConfig = Pick<Config, 'validation' | 'policy' | 'verifiers' | 'configDir'>;

/** Throws ConfigError (verifiers) or PolicyError (policy) when the config cannot be served. */
export async function buildValidationPipeline(config: PipelineConfig, deps: ValidationPipelineDeps): Promise<ValidationPipeline> {
  const verifiers = await buildVerifiers(
    config.verifiers as unknown as readonly VerifierConfigEntry[],
    { baseDir: config.configDir, logger: deps.logger, trustSource: deps.trustSource, ...deps.revocation },
    deps.verifierFactories ?? verifierFactories,
  );
  let policy: RunningPolicyEngine;
  try {
    policy = await startPolicyEngine(
      { bundle: config.policy.bundle, data: config.policy.data as Record<string, unknown> },
      { baseDir: config.configDir, metrics: deps.metrics, logger: deps.logger, watch: deps.watchPolicy ?? true, accept: deps.acceptPolicy },
    );
  } catch (e) {
    await closeVerifiers(verifiers);
    throw e;
  }
  const validator = createImageValidator({
    client: deps.client,
    verifiers,
    policy: policy.engine,
    cache: deps.cache,
    metrics: deps.metrics,
    logger: deps.logger,
    now: deps.now,
    config: {
      platforms: config.validation.platforms,
      excludeImages: config.validation.excludeImages,
      requireDigest: config.validation.requireDigest,
      ...deps.limits,
    },
  });
  return {
    validator,
    policy,
    verifiers,
    ready: () => policy.engine.current() !== undefined,
    async close() {
      await Promise.all([policy.close(), closeVerifiers(verifiers)]);
    },
  };
}
