/**
 * Every Portcullis metric (SPEC "Metrics"), on an injected prom-client Registry rather than
 * the global one, so tests and several servers in one process never collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const P = 'portcullis_';
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What a registry client holds now (src/oci/http-transport.ts), read when /metrics is scraped. */
export interface RegistryLoad {
  readonly bytesHeld: number;
  readonly bytesPeak: number;
  /** Peak of the per-process budget the client shares with other generations' clients (create-request-limits.ts). */
  readonly processBytesPeak?: number | undefined;
  readonly connectionsHeld: number;
  readonly origins?: number | undefined;
}

export function createMetrics(registry: Registry = new Registry(), options: { defaults?: boolean } = {}) {
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: P });
  const r = [registry];
  // One source per live registry client (a config reload briefly has two); summed when scraped.
  const loadSources = new Set<() => RegistryLoad>();
  const load = (pick: (l: RegistryLoad) => number) => [...loadSources].reduce((n, s) => n + pick(s()), 0);
  // The process's peak, not a sum of each generation's (two generations' peaks may never have
  // coincided): clients on one budget report the same processBytesPeak. Kept across
  // generations' ends, so it is "since start" as its help says.
  let bytesPeakSeen = 0;
  const bytesPeak = () => {
    for (const s of loadSources) { const l = s(); bytesPeakSeen = Math.max(bytesPeakSeen, l.processBytesPeak ?? l.bytesPeak); }
    return bytesPeakSeen;
  };
  const metrics = {
    /** Registers a registry client's load for the gauges below; returns the unregister function. */
    registryLoad: (source: () => RegistryLoad) => { loadSources.add(source); return () => { loadSources.delete(source); }; },
    registryBytesHeld: new Gauge({ name: `${P}registry_bytes_held`, help: 'Bytes of registry content held now against registries.maxBytesInFlight', registers: r, collect() { this.set(load((l) => l.bytesHeld)); } }),
    registryBytesHeldMax: new Gauge({ name: `${P}registry_bytes_held_max`, help: 'Most bytes of registry content held at once since start', registers: r, collect() { this.set(bytesPeak()); } }),
    registryConnections: new Gauge({ name: `${P}registry_connections_in_flight`, help: 'Outbound registry requests in flight now (registries.maxConnections)', registers: r, collect() { this.set(load((l) => l.connectionsHeld)); } }),
    registryOrigins: new Gauge({ name: `${P}registry_origins_open`, help: 'Registry origins with an open connection pool (registries.maxOrigins)', registers: r, collect() { this.set(load((l) => l.origins ?? 0)); } }),
    registry,
    admissionRequests: new Counter({ name: `${P}admission_requests_total`, help: 'AdmissionReviews answered, by webhook and decision', labelNames: ['webhook', 'decision'] as const, registers: r }),
    admissionDuration: new Histogram({ name: `${P}admission_duration_seconds`, help: 'Time to answer an AdmissionReview', labelNames: ['webhook'] as const, buckets: LATENCY_BUCKETS, registers: r }),
    admissionFailures: new Counter({ name: `${P}admission_failures_total`, help: 'AdmissionReviews answered by admission.failurePolicy: Portcullis could not decide in time (timeout) or failed itself (internal)', labelNames: ['webhook', 'cause'] as const, registers: r }),
    admissionShed: new Counter({ name: `${P}admission_shed_total`, help: 'AdmissionReviews answered at once in the failure mode because Portcullis was overloaded, by webhook and reason (inflight, event_loop_lag)', labelNames: ['webhook', 'reason'] as const, registers: r }),
    inflightRequests: new Gauge({ name: `${P}inflight_requests`, help: 'AdmissionReviews being processed', labelNames: ['webhook'] as const, registers: r }),
    verifierDuration: new Histogram({ name: `${P}verifier_duration_seconds`, help: 'Time a verifier took on one referrer', labelNames: ['type', 'result'] as const, buckets: LATENCY_BUCKETS, registers: r }),
    registryRequests: new Counter({ name: `${P}registry_requests_total`, help: 'HTTP requests to registries', labelNames: ['registry', 'operation', 'status'] as const, registers: r }),
    registryRequestDuration: new Histogram({ name: `${P}registry_request_duration_seconds`, help: 'Registry request latency', labelNames: ['registry', 'operation'] as const, buckets: LATENCY_BUCKETS, registers: r }),
    cacheRequests: new Counter({ name: `${P}cache_requests_total`, help: 'Cache lookups by kind and result (hit, miss, error, fallback, rejected)', labelNames: ['kind', 'result'] as const, registers: r }),
    cacheBytes: new Gauge({ name: `${P}cache_bytes`, help: 'Bytes charged to the in-process cache now (bounded by cache.maxBytes)', registers: r }),
    cacheRejectedEntries: new Counter({ name: `${P}cache_rejected_entries_total`, help: 'Shared-cache entries read back and not used (forged, tampered, unknown key, oversize), by kind and reason', labelNames: ['kind', 'reason'] as const, registers: r }),
    policyEvaluationDuration: new Histogram({ name: `${P}policy_evaluation_duration_seconds`, help: 'Time to evaluate the policy on one image', buckets: LATENCY_BUCKETS, registers: r }),
    policyReloads: new Counter({ name: `${P}policy_reloads_total`, help: 'Policy bundle loads by result', labelNames: ['result'] as const, registers: r }),
    tlsReloads: new Counter({ name: `${P}tls_reloads_total`, help: 'TLS material reloads by result', labelNames: ['result'] as const, registers: r }),
    revocationFetches: new Counter({ name: `${P}revocation_fetches_total`, help: 'Notation revocation fetches (OCSP, CRL) by result (success, failure, refused by scheme or allow-list)', labelNames: ['kind', 'result'] as const, registers: r }),
    revocationFetchDuration: new Histogram({ name: `${P}revocation_fetch_duration_seconds`, help: 'Time of one OCSP or CRL fetch', labelNames: ['kind'] as const, buckets: LATENCY_BUCKETS, registers: r }),
    tlsCertExpiry: new Gauge({ name: `${P}tls_cert_expiry_timestamp_seconds`, help: 'notAfter of loaded certificates (unix seconds)', labelNames: ['cert'] as const, registers: r }),
    webhookCertSteps: new Counter({ name: `${P}webhook_cert_steps_total`, help: 'Self-managed webhook certificate steps taken by the leader (docs/self-managed-certs.md), and errors', labelNames: ['step'] as const, registers: r }),
    webhookCertLeader: new Gauge({ name: `${P}webhook_cert_leader`, help: '1 while this replica holds the self-managed certificate Lease', registers: r }),
    canaryStatus: new Gauge({ name: `${P}canary_status`, help: 'Enforcement canary on the live policy: 1 the check passed, 0 it failed', labelNames: ['check'] as const, registers: r }),
    canaryLastRun: new Gauge({ name: `${P}canary_last_run_timestamp_seconds`, help: 'When the enforcement canary last ran (unix seconds)', registers: r }),
    canaryRefusals: new Counter({ name: `${P}canary_refusals_total`, help: 'Policies or configs refused because they admit a known-bad image in enforce mode', registers: r }),
    validationDecisions: new Counter({ name: `${P}validation_decisions_total`, help: 'Validated objects by mode and decision (would-deny: denied by policy, admitted by warn or audit mode)', labelNames: ['mode', 'decision'] as const, registers: r }),
    imageDenials: new Counter({ name: `${P}image_denials_total`, help: 'Images the policy denied, by a bounded reason code (docs/metrics.md)', labelNames: ['reason'] as const, registers: r }),
    auditRuns: new Counter({ name: `${P}audit_runs_total`, help: 'Audit scans of running workloads by result', labelNames: ['result'] as const, registers: r }),
    auditLastRun: new Gauge({ name: `${P}audit_last_run_timestamp_seconds`, help: 'When the last audit scan was written (unix seconds)', registers: r }),
    auditResults: new Gauge({ name: `${P}audit_results`, help: 'Results of the last audit scan by PolicyReport result (pass, fail, warn, error, skip)', labelNames: ['result'] as const, registers: r }),
  };
  // Bounded label sets start at 0, so rate() and increase() see the first failure and an
  // alert on them has a series to evaluate before anything has happened.
  for (const result of ['success', 'failure']) metrics.policyReloads.inc({ result }, 0);
  for (const result of ['success', 'error']) metrics.tlsReloads.inc({ result }, 0);
  for (const webhook of ['mutate', 'validate']) for (const reason of ['inflight', 'event_loop_lag']) metrics.admissionShed.inc({ webhook, reason }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
