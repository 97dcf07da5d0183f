/**
 * An in-memory WebhookCertsCluster for unit tests: one Secret, one Lease and the two webhook
 * configurations, each with a resourceVersion checked on write (409 → CONFLICT) like the API
 * server; Secret watchers are told of every change. Tests may set the Secret to anything.
 */
import type { LeaseSpec } from '../../src/webhook-certs/plan-lease.js';
import type { WebhookKind } from '../../src/webhook-certs/plan-cert-rotation.js';
import type { StoredSecret, StoredWebhookConfiguration, WebhookCertsCluster } from '../../src/webhook-certs/webhook-certs-cluster.js';
import { WebhookCertsError } from '../../src/webhook-certs/webhook-certs-error.js';

export interface FakeWebhookCertsCluster extends WebhookCertsCluster {
  secret: StoredSecret | undefined;
  lease: { resourceVersion: string; spec: LeaseSpec } | undefined;
  readonly configurations: Map<WebhookKind, { name: string; webhooks: { name: string; caBundle: string }[] }>;
  /** Every caBundle value each configuration has held, in order. */
  readonly bundleHistory: string[];
  setSecretData(data: Record<string, string | Uint8Array>): void;
  readonly secretWrites: number;
}

export function createFakeWebhookCertsCluster(names: { validating?: string; mutating?: string } = { validating: 'portcullis', mutating: 'portcullis' }): FakeWebhookCertsCluster {
  let rv = 1;
  const watchers = new Set<(s: StoredSecret | undefined) => void>();
  const configurations = new Map<WebhookKind, { name: string; webhooks: { name: string; caBundle: string }[] }>();
  for (const kind of ['validating', 'mutating'] as const) {
    const name = names[kind];
    if (name) configurations.set(kind, { name, webhooks: [{ name: `${kind}.portcullis.dev`, caBundle: '' }] });
  }
  const tick = async (signal: AbortSignal) => {
    await Promise.resolve();
    if (signal.aborted) throw new WebhookCertsError('API_ERROR', 'aborted');
  };
  const fake: FakeWebhookCertsCluster = {
    secret: undefined,
    lease: undefined,
    configurations,
    bundleHistory: [],
    secretWrites: 0,
    setSecretData(data) {
      fake.secret = { resourceVersion: String(++rv), data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v])) };
      for (const w of watchers) w(fake.secret);
    },
    async readSecret(signal) { await tick(signal); return fake.secret; },
    async writeSecret(data, resourceVersion, signal) {
      await tick(signal);
      if (resourceVersion !== fake.secret?.resourceVersion) throw new WebhookCertsError('CONFLICT', 'secret changed');
      (fake as { secretWrites: number }).secretWrites++;
      fake.setSecretData({ ...data });
    },
    watchSecret(onState) {
      watchers.add(onState);
      queueMicrotask(() => onState(fake.secret));
      return () => { watchers.delete(onState); };
    },
    async readWebhookConfiguration(kind, name, signal): Promise<StoredWebhookConfiguration | undefined> {
      await tick(signal);
      const c = configurations.get(kind);
      return c && c.name === name ? { webhooks: c.webhooks.map((w) => ({ ...w })) } : undefined;
    },
    async patchCaBundle(kind, name, read, caBundle, signal) {
      await tick(signal);
      const c = configurations.get(kind);
      if (!c || c.name !== name || c.webhooks.some((w, i) => w.name !== read.webhooks[i]?.name)) throw new WebhookCertsError('CONFLICT', 'changed');
      for (const w of c.webhooks) w.caBundle = caBundle;
      fake.bundleHistory.push(caBundle);
    },
    async readLease(signal) { await tick(signal); return fake.lease; },
    async writeLease(spec, resourceVersion, signal) {
      await tick(signal);
      if (resourceVersion !== fake.lease?.resourceVersion) throw new WebhookCertsError('CONFLICT', 'lease changed');
      fake.lease = { resourceVersion: String(++rv), spec };
    },
  };
  return fake;
}
