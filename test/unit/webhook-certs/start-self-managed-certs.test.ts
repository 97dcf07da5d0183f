import { afterEach, describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../../src/config/load-config.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { bundlePem, SECRET_KEYS, type CertState } from '../../../src/webhook-certs/cert-state.js';
import { parseCertSecret } from '../../../src/webhook-certs/parse-cert-secret.js';
import { startSelfManagedCerts, type SelfManagedCerts } from '../../../src/webhook-certs/start-self-managed-certs.js';
import { createFakeWebhookCertsCluster, type FakeWebhookCertsCluster } from '../../helpers/fake-webhook-certs-cluster.js';

// Long intervals: the tests drive every check themselves with check(), on a fake clock.
const settings = parseConfig({ tls: { selfManaged: { enabled: true, caValidity: '100s', certValidity: '100s', renewBefore: '40s', overlap: '5s', checkInterval: '5s', leaseDuration: '20s', startTimeout: '5s' } } }, { baseDir: '/' }).tls.selfManaged;
const T0 = new Date('2026-12-03T12:00:00Z').getTime();

describe('startSelfManagedCerts', () => {
  const started: SelfManagedCerts[] = [];
  let clock = T0;
  const start = (cluster: FakeWebhookCertsCluster, identity: string) => {
    const s = startSelfManagedCerts({ cluster, settings, logger: silentLogger(), identity, now: () => new Date(clock) });
    started.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
    clock = T0;
  });

  const stateOf = (cluster: FakeWebhookCertsCluster) => parseCertSecret(cluster.secret?.data) as CertState;

  it('elects one writer: it creates the Secret and publishes the CA to both webhook configurations; both replicas serve the pair', async () => {
    const cluster = createFakeWebhookCertsCluster();
    const a = start(cluster, 'a');
    await a.check();
    const b = start(cluster, 'b');
    await b.check();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    const state = stateOf(cluster);
    const wanted = Buffer.from(bundlePem(state.bundle)).toString('base64');
    expect([...cluster.configurations.values()].map((c) => c.webhooks[0]?.caBundle)).toEqual([wanted, wanted]);
    expect(state.publishedAt).toEqual(new Date(T0));
    await expect(b.waitForPair()).resolves.toMatchObject({ cert: Buffer.from(state.serving.certPem) });
    expect(a.current()?.cert.toString()).toBe(state.serving.certPem);
  });

  it('hands over when the leader stops: the other replica takes the released Lease and rotates from there', async () => {
    const cluster = createFakeWebhookCertsCluster();
    const a = start(cluster, 'a');
    const b = start(cluster, 'b');
    await a.check();
    await b.check();
    await a.close();
    expect(cluster.lease?.spec.holderIdentity).toBe('');
    await b.check();
    expect(b.isLeader()).toBe(true);
    // Drive a whole CA rotation with b, checking every second of the fake clock.
    const first = stateOf(cluster).ca.fingerprint;
    for (clock = T0; clock <= T0 + 80_000; clock += 1000) await b.check();
    const end = stateOf(cluster);
    expect(end.ca.fingerprint).not.toBe(first);
    expect(end.bundle.map((c) => c.fingerprint)).toEqual([end.ca.fingerprint]);
    // The validating webhook's caBundle went [A] → [A, B] → [B].
    expect(cluster.bundleHistory.filter((_, i) => i % 2 === 0).map((b64) => (Buffer.from(b64, 'base64').toString().match(/BEGIN CERTIFICATE/g) ?? []).length)).toEqual([1, 2, 1]);
    expect(b.current()?.cert.toString()).toBe(end.serving.certPem);
  });

  it('takes over from a leader that died without releasing, once its Lease expired', async () => {
    const cluster = createFakeWebhookCertsCluster();
    cluster.lease = { resourceVersion: '1', spec: { holderIdentity: 'dead', leaseDurationSeconds: 20, renewTime: new Date(T0) } };
    const b = start(cluster, 'b');
    clock = T0 + 19_000;
    await b.check();
    expect(b.isLeader()).toBe(false);
    clock = T0 + 21_000;
    await b.check();
    expect([b.isLeader(), cluster.lease.spec.leaseTransitions]).toEqual([true, 1]);
  });

  it('does not overwrite a garbled Secret, keeps serving its pair, and says why', async () => {
    const cluster = createFakeWebhookCertsCluster();
    const a = start(cluster, 'a');
    await a.check();
    const serving = a.current();
    cluster.setSecretData({ ...Object.fromEntries(Object.entries(cluster.secret?.data ?? {})), [SECRET_KEYS.caKey]: 'garbage' });
    const writes = cluster.secretWrites;
    clock += 1000;
    await a.check();
    expect(cluster.secretWrites).toBe(writes);
    expect(a.current()).toBe(serving);
    expect(Buffer.from(cluster.secret?.data[SECRET_KEYS.caKey] ?? []).toString()).toBe('garbage');
  });

  it('fails its start wait with START_TIMEOUT when no usable pair ever appears', async () => {
    const cluster = createFakeWebhookCertsCluster();
    cluster.lease = { resourceVersion: '1', spec: { holderIdentity: 'other', leaseDurationSeconds: 3600, renewTime: new Date(T0) } };
    const b = startSelfManagedCerts({ cluster, settings: { ...settings, startTimeout: 200 }, logger: silentLogger(), identity: 'b', now: () => new Date(clock) });
    started.push(b);
    await expect(b.waitForPair()).rejects.toMatchObject({ code: 'START_TIMEOUT' });
  });
});
