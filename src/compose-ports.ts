/**
 * Builds the Ports the admission server uses from a Config: the one place that picks the
 * registry client, cache, verifiers, policy engine and Kubernetes access. Called at start and
 * again on every valid config change (the result replaces the old ports atomically; the old
 * set is closed once its in-flight requests end).
 *
 *   pinner         createImagePinner over the cached registry client (src/mutation)
 *   validator      buildValidationPipeline: verifiers + Rego/Wasm policy (src/validation)
 *   namespaceModes the Namespace `portcullis.dev/mode` label, when an API server is reachable
 *   credentials    config, docker config.json, and — with `registries.kubernetesPullSecrets`
 *                  — the Pod's and its ServiceAccount's imagePullSecrets
 *   audit          with `audit.enabled`: the background audit of running workloads (src/audit)
 *   canary         every policy passes the enforcement canary before it goes live (src/canary)
 *   trust material `secret:<ns>/<name>[/<key>]` values in verifier configs: watched Secrets
 *   revocation     OCSP/CRL fetches over HTTP(S) for Notation verifiers that turn them on
 */
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { startBackgroundAudit } from './audit/start-background-audit.js';
import { createCanary } from './canary/create-canary.js';
import { describeCanary } from './canary/describe-canary.js';
import { createRegistryAccess } from './cache/create-registry-access.js';
import type { ProcessCache } from './cache/process-cache.js';
import { scopeResultsCache, verifierFingerprint } from './cache/scope-results-cache.js';
import type { Config } from './config/load-config.js';
import type { KubeReader } from './kubernetes/kube-reader.js';
import { loadKubeConfig } from './kubernetes/load-kube-config.js';
import { createNamespaceModeSource } from './kubernetes/namespace-mode-source.js';
import { parseSecretReference } from './kubernetes/parse-secret-reference.js';
import { createPullSecretCredentialProvider } from './kubernetes/pull-secret-credential-provider.js';
import { createSecretTrustMaterialSource } from './kubernetes/secret-trust-material-source.js';
import { createImagePinner } from './mutation/create-image-pinner.js';
import { countDenials } from './observability/count-denials.js';
import { configuredRegistries } from './oci/configured-registries.js';
import type { Metrics } from './observability/metrics.js';
import type { ProcessBudget } from './oci/create-request-limits.js';
import type { CredentialProvider } from './oci/types.js';
import { revocationPorts } from './revocation/revocation-ports.js';
import type { Ports } from './server/runtime-ports.js';
import { ConfigError } from './shared/coded-error.js';
import { createFileTrustMaterialSource } from './trust/create-file-trust-material-source.js';
import type { TrustMaterialSource } from './trust/types.js';
import { buildValidationPipeline } from './validation/build-validation-pipeline.js';

export type { Ports } from './server/runtime-ports.js';

export interface PortDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * How to reach the API server. Absent: found like kubectl does (loadKubeConfig); null: no
   * Kubernetes access (no namespace labels, no pull secrets).
   */
  readonly kubeConfig?: KubeConfig | null | undefined;
  /**
   * Whether callers are authenticated (the webhook listener requires an allowed client
   * certificate). Only then are the pull secrets a review names read: otherwise anyone who can
   * reach the Service could make Portcullis read another namespace's Secrets for them (a
   * confused deputy). Absent: true (callers that are not an HTTP listener, e.g. the CLI).
   */
  readonly authenticatedCallers?: boolean | undefined;
  /**
   * The per-process byte and connection budgets (registries.maxBytesInFlight, maxConnections),
   * shared by every config generation: while the old generation drains after a reload, the
   * two together stay inside one budget. Absent: this set of ports has its own.
   */
  readonly processBudget?: ProcessBudget | undefined;
  /**
   * The process's cache (src/cache/process-cache.ts), shared by every config generation so a
   * reload keeps what is cached; results are scoped to the generation's verifier config.
   * Absent: this set of ports has its own.
   */
  readonly processCache?: ProcessCache | undefined;
}

/** Throws (ConfigError, PolicyError…) when the config cannot be served; nothing is left open then. */
export async function buildPorts(config: Config, deps: PortDeps): Promise<Ports> {
  const { logger, metrics } = deps;
  const reader = await kubeReader(config, deps);
  const access = await createRegistryAccess({
    registries: config.registries,
    cache: config.cache,
    extraCredentialProviders: pullSecretProviders(config, reader, deps),
    client: { ...registryClientLimits(config), ...(deps.processBudget ? { processBudget: deps.processBudget } : {}) },
    metrics,
    logger,
    processCache: deps.processCache,
    // `cache.redis.hmacKeys`: watched files or Secrets, loaded like trust material.
    keySource: (spec, path) => secretTrustSource(reader, logger)(spec, path) ?? createFileTrustMaterialSource(resolve(config.configDir, spec)),
  });
  // Every policy this config loads (now, and on each bundle hot swap) passes the canary first.
  const canary = createCanary(config, { metrics, logger });
  let pipeline: Awaited<ReturnType<typeof buildValidationPipeline>>;
  try {
    pipeline = await buildValidationPipeline(config, {
      // Results never outlive the verifier config that produced them (docs/caching.md).
      client: access.client, cache: scopeResultsCache(access.cache, verifierFingerprint(config.verifiers)), metrics, logger, trustSource: secretTrustSource(reader, logger),
      acceptPolicy: (candidate, source) => canary.accept(candidate, source),
      revocation: revocationPorts(metrics),
    });
  } catch (err) {
    await access.close();
    throw err;
  }
  const engine = pipeline.policy.engine;
  canary.watch(() => engine.current());
  const namespaceModes = reader ? createNamespaceModeSource({ reader, logger }) : undefined;
  const audit = config.audit.enabled ? await backgroundAudit(config, deps, pipeline, namespaceModes) : undefined;
  return {
    pinner: createImagePinner({ client: access.client, logger }),
    validator: countDenials(pipeline.validator, metrics),
    namespaceModes,
    ready: () => pipeline.ready(),
    readiness: () => describeCanary(canary.last()),
    async close() {
      canary.close();
      await audit?.close();
      await pipeline.close();
      await access.close();
    },
  };
}

/**
 * The imagePullSecrets credential provider, when configured, reachable, and the callers are
 * authenticated (see PortDeps.authenticatedCallers); otherwise none.
 */
export function pullSecretProviders(config: Config, reader: KubeReader | undefined, deps: PortDeps): CredentialProvider[] {
  if (!reader || !config.registries.kubernetesPullSecrets) return [];
  if (!(deps.authenticatedCallers ?? true)) {
    deps.logger.warn({ key: 'registries.kubernetesPullSecrets' }, 'pull secrets are not read: callers are not authenticated (mTLS off; set tls.clientCAFile)');
    return [];
  }
  return [createPullSecretCredentialProvider({ reader, logger: deps.logger })];
}

/** Config `registries.*` bounds (issue 14) and the registries that keep their metric label. */
function registryClientLimits(config: Config) {
  const r = config.registries;
  return {
    limits: {
      maxBytesInFlight: r.maxBytesInFlight, maxBytesPerRequest: r.maxBytesPerRequest, maxBytesWaitMs: r.maxBytesWaitMs,
      maxConnections: r.maxConnections, maxConnectionsPerRequest: r.maxConnectionsPerRequest,
    },
    maxConcurrencyPerRegistry: r.maxConnectionsPerRegistry,
    maxOrigins: r.maxOrigins,
    metricRegistries: configuredRegistries({ ...r, verifiers: config.verifiers }),
  };
}

async function findKubeConfig(deps: PortDeps): Promise<KubeConfig | undefined> {
  try {
    return deps.kubeConfig === undefined ? await loadKubeConfig() : deps.kubeConfig ?? undefined;
  } catch (err) {
    // A broken kubeconfig must not stop the webhook: the features that need it stay off.
    deps.logger.warn({ err: { message: (err as Error).message } }, 'cannot load a kubeconfig: namespace labels and pull secrets are off');
    return undefined;
  }
}

/**
 * The background audit (config `audit.enabled`, src/audit/): it validates with the pipeline's
 * own validator (so the shared cache) and re-scans when the policy generation or a verifier's
 * trust material hash changes.
 */
async function backgroundAudit(config: Config, deps: PortDeps, pipeline: Awaited<ReturnType<typeof buildValidationPipeline>>, namespaceModes: ReturnType<typeof createNamespaceModeSource> | undefined) {
  const kubeConfig = await findKubeConfig(deps);
  if (!kubeConfig) {
    deps.logger.warn('audit.enabled is on but no API server is configured: no background audit');
    return undefined;
  }
  const { createKubeAuditCluster } = await import('./audit/create-kube-audit-cluster.js');
  return startBackgroundAudit(config, {
    cluster: createKubeAuditCluster(kubeConfig),
    validator: pipeline.validator,
    namespaceModes,
    fingerprint: () => `${pipeline.policy.engine.generation}|${pipeline.verifiers.map((v) => v.configHash()).join(',')}`,
    metrics: deps.metrics,
    logger: deps.logger,
  });
}

/**
 * The API server reader, when one is reachable. @kubernetes/client-node (the largest dependency)
 * is imported only then (issue 15: RSS at ready; bench/memory-startup.ts).
 */
async function kubeReader(config: Config, deps: PortDeps): Promise<KubeReader | undefined> {
  const kubeConfig = await findKubeConfig(deps);
  if (!kubeConfig) {
    if (config.registries.kubernetesPullSecrets) deps.logger.warn('registries.kubernetesPullSecrets is on but no API server is configured');
    return undefined;
  }
  const { createKubeReader } = await import('./kubernetes/create-kube-reader.js');
  return createKubeReader({ kubeConfig, logger: deps.logger });
}

/**
 * Resolves `secret:` values of verifier trust material to watched Secret sources (SPEC
 * "Verifiers": trust stores and keys from Kubernetes Secrets). Without an API server such a
 * value cannot be served, and the config is refused naming the field.
 */
export function secretTrustSource(reader: KubeReader | undefined, logger: Logger): (spec: string, path: string) => TrustMaterialSource | undefined {
  return (spec, path) => {
    const ref = parseSecretReference(spec, path);
    if (!ref) return undefined;
    if (!reader) throw new ConfigError('INVALID_CONFIG', path, `"${spec}" needs Kubernetes access, and no API server is configured`);
    return createSecretTrustMaterialSource({ reader, logger, namespace: ref.namespace, name: ref.name, ...(ref.keys ? { keys: ref.keys } : {}) });
  };
}
