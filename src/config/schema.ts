/**
 * The configuration file's shape (SPEC "Configuration"): every key optional, every default
 * here. Sections are strict so a misspelt key is an error that names it; `verifiers` entries
 * stay loose because each verifier factory validates its own options.
 */
import { z } from 'zod';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRY_BYTES } from '../cache/cache-limits.js';
import { parseRedisUrl } from '../cache/parse-redis-url.js';
import { canonicalPlainHttpHost } from '../oci/registry-identity.js';
import { parseDuration } from '../webhook-certs/parse-duration.js';

const port = z.number().int().min(0).max(65535);
const mode = z.enum(['enforce', 'warn', 'audit']);
// Matched after the runtime's normalisation (docs/platforms.md): `linux/x86_64` is `linux/amd64`,
// `linux/arm64/v8` is `linux/arm64`, `linux/arm` is `linux/arm/v7`.
const platformName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/, 'expected os/arch[/variant], e.g. linux/amd64');

const server = z.strictObject({
  /** TLS port of the webhook; 0 picks a free port (tests). */
  port: port.default(8443),
  /** Plain-HTTP port of /metrics, /healthz, /readyz. */
  metricsPort: port.default(9090),
  /** Address both listeners bind to. */
  host: z.string().min(1).default('0.0.0.0'),
  bodyLimitBytes: z.number().int().positive().default(3 * 1024 * 1024),
  /** Deepest JSON nesting accepted in an AdmissionReview (checked before parsing). */
  maxJsonDepth: z.number().int().min(16).max(1000).default(64),
  /** Longest a graceful shutdown waits for in-flight requests. */
  shutdownGraceMs: z.number().int().min(0).default(10_000),
}).prefault({});

/** A Kubernetes object name (DNS-1123 subdomain). */
const objectName = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes object name (lower-case DNS-1123)');
/** A duration like `2160h`, `30m`, `1h30m`, `90d`; parsed to milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.issues.push({ code: 'custom', message: 'expected a duration such as 2160h, 30m, 1h30m or 90d', input: text });
    return z.NEVER;
  }
  return ms;
});

/**
 * Self-managed webhook certificates (docs/self-managed-certs.md): Portcullis makes its CA and
 * serving certificate, keeps them in a Secret, writes the CA bundle into its webhook
 * configurations and rotates both before expiry; one replica, elected with a Lease, writes.
 * On: `certFile`/`keyFile` are not read (the pair comes from the Secret); `clientCAFile` still is.
 */
const selfManaged = z.strictObject({
  enabled: z.boolean().default(false),
  /** The Secret that holds the CA, the serving pair and the published CA bundle. */
  secretName: objectName.default('portcullis-webhook-tls'),
  /** Namespace of the Secret and the Lease (Portcullis' own). */
  namespace: objectName.max(63).default('portcullis-system'),
  /** The Service the API server calls: its names `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local` are the SANs. */
  serviceName: objectName.max(63).default('portcullis'),
  /** More SANs: DNS names or IP addresses (a webhook reached by URL). */
  extraNames: z.array(z.string().min(1).max(253)).max(32).default([]),
  /** The webhook configurations whose every webhook gets the CA bundle; null: leave that kind alone. */
  webhookConfigurations: z.strictObject({
    validating: objectName.nullable().default('portcullis'),
    mutating: objectName.nullable().default('portcullis'),
  }).prefault({}),
  caValidity: duration.prefault('8760h'),
  certValidity: duration.prefault('2160h'),
  /** A CA or serving certificate with less than this left is replaced. */
  renewBefore: duration.prefault('720h'),
  /**
   * Each step of a CA rotation waits this long: the new CA is in caBundle this long before any
   * replica serves a certificate it signed, and the old CA stays this long after the switch.
   */
  overlap: duration.prefault('5m'),
  /** How often the leader renews the Lease and reconciles the Secret and the caBundles. */
  checkInterval: duration.prefault('10s'),
  leaseName: objectName.default('portcullis-webhook-certs'),
  /** A leader that has not renewed for this long is replaced. */
  leaseDuration: duration.prefault('30s'),
  /** Longest start-up waits for a usable pair in the Secret before failing. */
  startTimeout: duration.prefault('2m'),
}).prefault({}).check((ctx) => {
  const v = ctx.value;
  const issue = (path: string, message: string) => ctx.issues.push({ code: 'custom', message, path: [path], input: v[path as keyof typeof v] });
  if (v.renewBefore >= v.certValidity) issue('renewBefore', 'must be shorter than tls.selfManaged.certValidity');
  if (v.renewBefore >= v.caValidity) issue('renewBefore', 'must be shorter than tls.selfManaged.caValidity');
  // A rotation takes two overlaps plus up to a check interval per step; the old CA must outlive it.
  if (2 * v.overlap + 3 * v.checkInterval >= v.renewBefore) issue('overlap', 'two overlaps plus three check intervals must be shorter than tls.selfManaged.renewBefore');
  // A new CA takes over up to that long after it was made; it must not be due for renewal by then.
  if (v.renewBefore + 2 * v.overlap + 3 * v.checkInterval >= v.caValidity) issue('caValidity', 'must be longer than tls.selfManaged.renewBefore plus two overlaps plus three check intervals');
  if (2 * v.checkInterval > v.leaseDuration) issue('leaseDuration', 'must be at least twice tls.selfManaged.checkInterval (the leader renews once per check)');
});

const tls = z.strictObject({
  certFile: z.string().min(1).default('certs/tls.crt'),
  keyFile: z.string().min(1).default('certs/tls.key'),
  /** Set: mTLS, a client certificate signed by this CA is required. */
  clientCAFile: z.string().min(1).nullable().default(null),
  /**
   * With mTLS: the client certificate's subject CN or one of its DNS SANs must be one of these
   * (the API server's webhook client identity); any other caller gets HTTP 403. The default is
   * the CN of the client certificate `portcullis certs generate` mints.
   */
  allowedClientNames: z.array(z.string().min(1).max(253)).min(1).max(64).default(['portcullis-client']),
  /** Quiet period after the last file event before reloading (Secret updates come in bursts). */
  reloadDebounceMs: z.number().int().min(0).max(60_000).default(250),
  selfManaged,
}).prefault({});

const admission = z.strictObject({
  deadlineBufferMs: z.number().int().min(0).max(29_000).default(200),
  /** Used when the API server sends no `?timeout=`. */
  defaultTimeoutSeconds: z.number().int().min(1).max(30).default(10),
  failurePolicy: z.enum(['deny', 'allow']).default('deny'),
  /**
   * Overload bounds: past them a new review is answered at once with the failure policy
   * (and counted in portcullis_admission_shed_total) instead of queueing past the API
   * server's timeout. Reviews in flight across both webhooks; 0 turns the bound off.
   */
  maxInflight: z.number().int().min(0).max(100_000).default(256),
  /** Event-loop delay (median over the last second, ms) past which new reviews are shed; 0: off. */
  maxEventLoopLagMs: z.number().int().min(0).max(60_000).default(1000),
  /**
   * Distinct images (after exclusions) one object may name; more is denied by both webhooks,
   * whatever the mode: each image costs registry requests and memory (issue 14).
   */
  maxImagesPerObject: z.number().int().min(1).max(1024).default(64),
}).prefault({});

const mutation = z.strictObject({
  enabled: z.boolean().default(true),
  onError: z.enum(['deny', 'allow']).default('deny'),
}).prefault({});

/** metav1.LabelSelector. */
const labelSelector = z.strictObject({
  matchLabels: z.record(z.string().min(1), z.string()).default({}),
  matchExpressions: z.array(z.strictObject({
    key: z.string().min(1),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).default([]),
  })).default([]),
});

const validation = z.strictObject({
  mode: mode.default('enforce'),
  platforms: z.union([
    z.enum(['index', 'both']),
    z.array(platformName).min(1).max(64),
  ]).default('index'),
  /**
   * Enforce mode: an image without a digest is denied as not pinned rather than having its tag
   * resolved at validation time (docs/validation.md). false: resolve the tag, as warn/audit do.
   */
  requireDigest: z.boolean().default(true),
  excludeNamespaces: z.array(z.string().min(1)).default(['kube-system']),
  excludeImages: z.array(z.string().min(1)).default([]),
  /** Per-namespace modes; win over the Namespace label and the global mode. */
  namespaces: z.record(z.string().min(1), mode).default({}),
  /**
   * The Namespace label `portcullis.dev/mode` may only tighten the mode (enforce > warn > audit),
   * except in these namespaces (by name, or by a label selector on the Namespace): there it may
   * also relax it. Anyone who can label a Namespace can satisfy a selector, so prefer names.
   */
  modeLabelMayRelax: z.strictObject({
    namespaces: z.array(z.string().min(1)).default([]),
    selector: labelSelector.nullable().default(null),
  }).prefault({}),
}).prefault({});

const credential = z.union([
  z.strictObject({ host: z.string().min(1), username: z.string(), password: z.string() }),
  z.strictObject({ host: z.string().min(1), token: z.string() }),
]);

/** A `registries.insecure` host, canonical as references are (docs/registry-identity.md). */
const insecureHost = z.string().min(1).transform((host, ctx) => {
  try {
    return canonicalPlainHttpHost(host);
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: host });
    return z.NEVER;
  }
});

const registries = z.strictObject({
  insecure: z.array(insecureHost).default([]),
  dockerConfig: z.string().min(1).nullable().default(null),
  credentials: z.array(credential).default([]),
  kubernetesPullSecrets: z.boolean().default(false),
  // Bounds on what registries named in Pod specs can make Portcullis hold (issue 14); the
  // defaults fit the shipped Deployment (512 MiB limit), see docs/install.md "Resource bounds".
  /** Bytes of registry content held at once, all requests together. */
  maxBytesInFlight: z.number().int().min(1024 * 1024).default(128 * 1024 * 1024),
  /** Bytes of registry content held at once by one admission request. */
  maxBytesPerRequest: z.number().int().min(1024 * 1024).default(64 * 1024 * 1024),
  /** Longest a fetch waits for free bytes before failing with BUDGET_EXHAUSTED. */
  maxBytesWaitMs: z.number().int().min(0).max(30_000).default(5_000),
  /** Outbound registry requests in flight at once, all registries together; also the open sockets (idle keep-alive ones included) above which idle pools are closed. */
  maxConnections: z.number().int().min(1).max(4096).default(256),
  /** Outbound registry requests in flight at once for one admission request. */
  maxConnectionsPerRequest: z.number().int().min(1).max(1024).default(64),
  /** Sockets per registry origin. */
  maxConnectionsPerRegistry: z.number().int().min(1).max(256).default(64),
  /** Registry origins with open connection pools at once (least recently used closed first). */
  maxOrigins: z.number().int().min(1).max(10_000).default(64),
}).prefault({}).check((ctx) => {
  if (ctx.value.maxBytesPerRequest > ctx.value.maxBytesInFlight) {
    ctx.issues.push({ code: 'custom', message: 'must not be larger than registries.maxBytesInFlight', path: ['maxBytesPerRequest'], input: ctx.value.maxBytesPerRequest });
  }
});

const ttl = z.number().int().min(0);
const cache = z.strictObject({
  type: z.enum(['memory', 'redis']).default('memory'),
  redis: z.strictObject({
    /** `redis://` / `rediss://` (one server), `redis+sentinel://h:26379,…/<master>`, `redis+cluster://h:6379,…` (parse-redis-url.ts). */
    url: z.string().min(1).nullable().default(null),
    /**
     * Keys that authenticate every entry written to Redis (HMAC-SHA256), each a file or
     * `secret:<ns>/<name>/<key>` holding one key of at least 32 bytes; the first signs, all
     * verify (rotation). Required with `type: redis` (docs/cache-threat-model.md).
     */
    hmacKeys: z.array(z.string().min(1)).max(8).default([]),
  }).prefault({}),
  ttlSeconds: z.strictObject({
    digest: ttl.default(60),
    referrers: ttl.default(60),
    results: ttl.default(3600),
    negative: ttl.default(10),
  }).prefault({}),
  /** Bytes the in-process cache may hold (values' JSON length plus 256 per entry). */
  maxBytes: z.number().int().min(1024 * 1024).max(8 * 1024 ** 3).default(DEFAULT_CACHE_MAX_BYTES),
  /** A bigger entry is not cached, in memory or in Redis. */
  maxEntryBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(DEFAULT_CACHE_MAX_ENTRY_BYTES),
}).prefault({}).check((ctx) => {
  if (ctx.value.type === 'redis' && !ctx.value.redis.url) {
    ctx.issues.push({ code: 'custom', message: 'required when cache.type is redis', path: ['redis', 'url'], input: ctx.value.redis.url });
  }
  if (ctx.value.redis.url) {
    try { parseRedisUrl(ctx.value.redis.url); } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message.replace(/^cache\.redis\.url: /, ''), path: ['redis', 'url'], input: '[redacted]' });
    }
  }
  if (ctx.value.type === 'redis' && ctx.value.redis.hmacKeys.length === 0) {
    ctx.issues.push({
      code: 'custom', path: ['redis', 'hmacKeys'], input: ctx.value.redis.hmacKeys,
      message: 'required when cache.type is redis: a file or secret:<ns>/<name>/<key> holding a key of at least 32 bytes (openssl rand -hex 32), the same on every replica; see docs/cache-threat-model.md',
    });
  }
  if (ctx.value.maxEntryBytes > ctx.value.maxBytes) {
    ctx.issues.push({ code: 'custom', message: 'must not exceed cache.maxBytes', path: ['maxEntryBytes'], input: ctx.value.maxEntryBytes });
  }
});

const policy = z.strictObject({
  /** null: the bundled default policy. */
  bundle: z.string().min(1).nullable().default(null),
  data: z.record(z.string(), z.unknown()).default({}),
}).prefault({});

/**
 * The enforcement canary (docs/operations.md): a built-in known-bad input (an unsigned image)
 * and a known-good one evaluated through every policy before it goes live, and periodically.
 */
const canary = z.strictObject({
  /** refuse: a policy or config that admits the known-bad input is refused at load; flag: it loads, the canary metric turns bad. */
  onUnsafe: z.enum(['refuse', 'flag']).default('refuse'),
  /** How often the live policy is re-checked. */
  intervalSeconds: z.number().int().min(5).max(86_400).default(60),
  /** The namespace the canary inputs name (plus every enforce-mode namespace in `validation.namespaces`). */
  namespace: z.string().min(1).max(63).default('portcullis-canary'),
}).prefault({});

/**
 * Audit of running workloads (docs/operations.md "Audit"): Pods and pod templates listed
 * through the API server, their images validated with the live config and policy, results
 * written as wgpolicyk8s.io/v1alpha2 PolicyReports. `portcullis audit` runs it once; `enabled`
 * runs it in the server too.
 */
const audit = z.strictObject({
  /** Background scan in `portcullis serve` (needs API server access and the audit RBAC). */
  enabled: z.boolean().default(false),
  /** Full re-scan period: results older than this are refreshed even if nothing changed. */
  intervalSeconds: z.number().int().min(10).max(7 * 86_400).default(3600),
  /** How often policy generation and trust material are checked for changes (which re-scan). */
  checkSeconds: z.number().int().min(1).max(3600).default(10),
  /** Image validations per second at most (after the scan's own dedup; cached results are cheap). */
  imagesPerSecond: z.number().positive().max(1000).default(5),
  /** Deadline of one image validation. */
  timeoutSeconds: z.number().int().min(1).max(300).default(30),
  /** Objects read per kind at most (the scan stops listing past it and says so in the ClusterPolicyReport). */
  maxObjects: z.number().int().min(1).max(100_000).default(10_000),
  /** Results in one namespace's PolicyReport at most (an object must stay well under etcd's 1.5 MiB). */
  maxResultsPerReport: z.number().int().min(1).max(5000).default(1000),
}).prefault({});

export const VERIFIER_TYPES = ['notation', 'cosign', 'sbom', 'vulnerabilityreport', 'intoto'] as const;

const verifier = z.looseObject({
  name: z.string().min(1),
  type: z.enum(VERIFIER_TYPES),
  artifactTypes: z.array(z.string().min(1)).optional(),
});

const verifiers = z.array(verifier).default([]).check((ctx) => {
  const seen = new Set<string>();
  ctx.value.forEach((v, i) => {
    if (seen.has(v.name)) ctx.issues.push({ code: 'custom', message: `duplicate verifier name "${v.name}"`, path: [i, 'name'], input: v.name });
    seen.add(v.name);
  });
});

/** The whole file. Unknown top-level keys are errors (they are almost always typos). */
export const configSchema = z.strictObject({
  server, tls, admission, mutation, validation, registries, cache, policy, canary, audit, verifiers,
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type VerifierConfig = Config['verifiers'][number];
export type ValidationConfig = Config['validation'];
