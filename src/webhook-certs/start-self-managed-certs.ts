/**
 * Self-managed webhook certificates at run time (docs/self-managed-certs.md). Every replica
 * follows the Secret and serves the pair it holds; the replica holding the Lease also, every
 * `checkInterval`, reads the Secret and the webhook configurations and takes the steps
 * planCertRotation names. The Kubernetes I/O is the injected WebhookCertsCluster; the clock
 * and the minter are injectable for tests. Key material never reaches a log line.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { applyCertStep } from './apply-cert-step.js';
import { bundlePem, type CertState } from './cert-state.js';
import { certMinter, type CertMinter } from './mint-certs.js';
import { parseCertSecret } from './parse-cert-secret.js';
import { planCertRotation, type CertStep, type WebhookKind } from './plan-cert-rotation.js';
import { planLease, releasedLease } from './plan-lease.js';
import { serializeCertState } from './serialize-cert-state.js';
import { serviceNames } from './service-names.js';
import type { StoredSecret, WebhookCertsCluster } from './webhook-certs-cluster.js';
import { WebhookCertsError } from './webhook-certs-error.js';

export type SelfManagedSettings = Config['tls']['selfManaged'];

export interface SelfManagedCertsOptions {
  readonly cluster: WebhookCertsCluster;
  readonly settings: SelfManagedSettings;
  readonly logger: Logger;
  /** Counts each step taken (label `step`) and whether this replica leads. */
  readonly onStep?: ((step: CertStep['kind'] | 'error') => void) | undefined;
  readonly onLeadership?: ((leading: boolean) => void) | undefined;
  /** This replica's name in the Lease; default `<hostname>-<pid>-<random>`. */
  readonly identity?: string | undefined;
  readonly minter?: CertMinter | undefined;
  readonly now?: (() => Date) | undefined;
}

export interface ServingPairBytes {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface SelfManagedCerts {
  readonly identity: string;
  /** The pair to serve now; undefined until the Secret holds a usable one. */
  current(): ServingPairBytes | undefined;
  /** Resolves with the first usable pair; rejects START_TIMEOUT after `startTimeout`. */
  waitForPair(): Promise<ServingPairBytes>;
  /** Called after `current()` changed. */
  onChange(listener: () => void): void;
  isLeader(): boolean;
  /** One Lease check and, when leading, one reconciliation, now (also run every checkInterval). */
  check(): Promise<void>;
  /** Stops; a leader releases its Lease so another replica takes over at its next check. */
  close(): Promise<void>;
}

// One reconciliation takes at most this many steps (a bootstrap is bootstrap → publish → mark).
const MAX_STEPS_PER_CHECK = 8;

export function startSelfManagedCerts(options: SelfManagedCertsOptions): SelfManagedCerts {
  const { cluster, settings, logger } = options;
  const now = options.now ?? (() => new Date());
  const minter = options.minter ?? certMinter;
  const identity = options.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const names = serviceNames(settings);
  const log = logger.child({ component: 'webhook-certs', secret: `${settings.namespace}/${settings.secretName}` });
  const stop = new AbortController();
  const listeners: Array<() => void> = [];
  let pair: ServingPairBytes | undefined;
  let servingPem: string | undefined;
  let leading = false;
  let lastSecretError: string | undefined;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  // Rejecters of waitForPair calls still waiting (close ends them).
  const waiting: Array<() => void> = [];

  const setLeading = (next: boolean): void => {
    if (next === leading) return;
    leading = next;
    log.info({ identity, lease: `${settings.namespace}/${settings.leaseName}` }, next ? 'holding the webhook certificate lease' : 'no longer holding the webhook certificate lease');
    options.onLeadership?.(next);
  };

  /** Serves the state's pair (if it changed) and tells the listeners. */
  const serve = (state: CertState): void => {
    if (state.serving.certPem === servingPem) return;
    servingPem = state.serving.certPem;
    pair = { cert: Buffer.from(state.serving.certPem), key: Buffer.from(state.serving.keyPem) };
    log.info({ notAfter: state.serving.notAfter.toISOString(), caFingerprint: state.ca.fingerprint.slice(0, 16) }, 'serving certificate from the Secret');
    for (const l of listeners) {
      try { l(); } catch (err) { log.error({ err: { message: (err as Error).message } }, 'serving certificate listener failed'); }
    }
  };

  /** Parses the Secret; a broken one is logged once per distinct error and left alone. */
  const parse = (secret: StoredSecret | undefined): { ok: true; state: CertState | undefined } | { ok: false } => {
    try {
      const state = parseCertSecret(secret?.data);
      lastSecretError = undefined;
      return { ok: true, state };
    } catch (err) {
      const e = err as WebhookCertsError;
      if (e.message !== lastSecretError) {
        lastSecretError = e.message;
        log.error({ code: e.code, reason: e.message }, 'the webhook certificate Secret is unusable; serving the current pair, not overwriting it (delete the Secret to start over)');
      }
      options.onStep?.('error');
      return { ok: false };
    }
  };

  const unwatch = cluster.watchSecret((secret) => {
    const parsed = parse(secret);
    if (parsed.ok && parsed.state) serve(parsed.state);
  });

  const configured = (): Array<[WebhookKind, string]> =>
    (['validating', 'mutating'] as const).flatMap((k) => { const n = settings.webhookConfigurations[k]; return n ? [[k, n] as [WebhookKind, string]] : []; });

  async function holdLease(signal: AbortSignal): Promise<void> {
    try {
      const lease = await cluster.readLease(signal);
      const decision = planLease(lease?.spec, identity, now(), settings.leaseDuration);
      if (decision.kind === 'follow') {
        setLeading(false);
        return;
      }
      await cluster.writeLease(decision.spec, lease?.resourceVersion, signal);
      if (decision.kind === 'take-over') log.info({ identity, previous: lease?.spec.holderIdentity ?? '' }, 'took over the webhook certificate lease');
      setLeading(true);
    } catch (err) {
      // Not sure we still hold it: stop writing until a renewal succeeds. Writes are
      // resourceVersion-guarded anyway, so a stale leader cannot overwrite a newer state.
      setLeading(false);
      if ((err as WebhookCertsError).code !== 'CONFLICT') log.warn({ code: (err as WebhookCertsError).code, reason: (err as Error).message }, 'webhook certificate lease check failed');
    }
  }

  async function reconcile(signal: AbortSignal): Promise<void> {
    for (let i = 0; i < MAX_STEPS_PER_CHECK && leading && !signal.aborted; i++) {
      const secret = await cluster.readSecret(signal);
      const parsed = parse(secret);
      if (!parsed.ok) return;
      const state = parsed.state;
      const configs = await Promise.all(configured().map(async ([kind, name]) => [kind, name, await cluster.readWebhookConfiguration(kind, name, signal)] as const));
      const wanted = state ? Buffer.from(bundlePem(state.bundle)).toString('base64') : '';
      const published: Partial<Record<WebhookKind, 'in-sync' | 'stale' | 'absent'>> = {};
      for (const [kind, , read] of configs) {
        published[kind] = !read ? 'absent' : read.webhooks.every((w) => w.caBundle === wanted) ? 'in-sync' : 'stale';
      }
      const at = now();
      const step = planCertRotation({ state, published, now: at, renewBeforeMs: settings.renewBefore, overlapMs: settings.overlap, names });
      if (step.kind === 'idle') return;
      if (step.kind === 'publish') {
        for (const [kind, name, read] of configs) {
          if (read && step.configurations.includes(kind)) await cluster.patchCaBundle(kind, name, read, wanted, signal);
        }
        for (const [kind, name, read] of configs) if (!read) log.warn({ kind, name }, 'webhook configuration not found: its caBundle is not managed until it exists');
        log.info({ configurations: step.configurations, cas: state?.bundle.length }, 'published the CA bundle');
      } else {
        const next = applyCertStep(state, step, at, minter, { caValidityMs: settings.caValidity, certValidityMs: settings.certValidity, names });
        if (!next) return;
        await cluster.writeSecret(serializeCertState(next), secret?.resourceVersion, signal);
        log.info({ step: step.kind, ...('reason' in step ? { reason: step.reason } : {}), cas: next.bundle.length, caNotAfter: next.ca.notAfter.toISOString(), servingNotAfter: next.serving.notAfter.toISOString() }, 'webhook certificate step');
        serve(next);
      }
      options.onStep?.(step.kind);
    }
  }

  async function runCheck(): Promise<void> {
    if (stop.signal.aborted) return;
    await holdLease(stop.signal);
    if (!leading) return;
    try {
      await reconcile(stop.signal);
    } catch (err) {
      if (stop.signal.aborted) return;
      const e = err as WebhookCertsError;
      if (e.code !== 'CONFLICT') options.onStep?.('error');
      log[e.code === 'CONFLICT' ? 'debug' : 'warn']({ code: e.code, reason: e.message }, 'webhook certificate check did not finish; retrying at the next check');
    }
  }

  const check = (): Promise<void> => {
    running = running.then(runCheck, runCheck);
    return running;
  };
  const loop = (): void => {
    timer = setTimeout(() => void check().finally(() => { if (!stop.signal.aborted) loop(); }), settings.checkInterval);
    timer.unref();
  };
  void check();
  loop();

  return {
    identity,
    current: () => pair,
    waitForPair() {
      if (pair) return Promise.resolve(pair);
      return new Promise((resolve, reject) => {
        const fail = (): void => {
          clearTimeout(t);
          reject(new WebhookCertsError('START_TIMEOUT', `no usable serving certificate in secret ${settings.namespace}/${settings.secretName} within ${settings.startTimeout} ms${lastSecretError ? ` (${lastSecretError})` : ''}`));
        };
        const t = setTimeout(fail, settings.startTimeout);
        waiting.push(fail);
        listeners.push(() => { if (pair) { clearTimeout(t); resolve(pair); } });
      });
    },
    onChange: (l) => { listeners.push(l); },
    isLeader: () => leading,
    check,
    async close() {
      if (stop.signal.aborted) return;
      clearTimeout(timer);
      stop.abort();
      unwatch();
      await running.catch(() => undefined);
      for (const fail of waiting.splice(0)) fail();
      if (!leading) return;
      // Step down so another replica need not wait out leaseDuration.
      const signal = AbortSignal.timeout(5_000);
      try {
        const lease = await cluster.readLease(signal);
        if (lease && lease.spec.holderIdentity === identity) await cluster.writeLease(releasedLease(lease.spec, now()), lease.resourceVersion, signal);
      } catch (err) {
        log.warn({ code: (err as WebhookCertsError).code }, 'could not release the webhook certificate lease; another replica takes over when it expires');
      }
      setLeading(false);
    },
  };
}
