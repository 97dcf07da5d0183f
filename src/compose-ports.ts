/**
 * Builds the Ports the admission server uses from a Config: the one place that picks the
 * registry client, cache, verifiers and policy engine. Called at start and again on every
 * valid config change (the result replaces the old ports atomically).
 *
 * TODO(lead): wire the real implementations here — the OCI registry client + cache behind an
 * ImagePinner, the validation pipeline (resolve → referrers → verifiers → policy) behind an
 * ImageValidator, and a Kubernetes-backed NamespaceModeSource when running in a cluster.
 * Until then the ports below fail honestly: every pin is an error outcome and every
 * validation rejects, so `mutation.onError` and `admission.failurePolicy` decide (deny by
 * default) — nothing is ever allowed by accident.
 */
import type { Logger } from 'pino';
import type { AdmissionContext, ImagePinner, ImageValidator, PinOutcome } from './admission/ports.js';
import type { Config } from './config/load-config.js';
import type { Metrics } from './observability/metrics.js';
import type { Ports } from './server/runtime-ports.js';

export type { Ports } from './server/runtime-ports.js';

export interface PortDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const NOT_WIRED = 'registry client not wired: this build of Portcullis cannot reach registries yet';

export async function buildPorts(_config: Config, _deps: PortDeps): Promise<Ports> {
  const pinner: ImagePinner = {
    async pin(images: readonly string[], _ctx: AdmissionContext): Promise<Map<string, PinOutcome>> {
      return new Map(images.map((i) => [i, { kind: 'error', code: 'NOT_WIRED', message: NOT_WIRED } as const]));
    },
  };
  const validator: ImageValidator = {
    async validate(): Promise<never> {
      throw new Error(`validation pipeline not wired: ${NOT_WIRED}`);
    },
  };
  // Ready: the server answers every request (failing closed), which is what readiness means
  // for the Service; the lead's ports will report policy/cache readiness here.
  return { pinner, validator, ready: () => true };
}
