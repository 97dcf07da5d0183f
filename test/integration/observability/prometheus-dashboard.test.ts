/**
 * The Grafana dashboard against a real Prometheus: Portcullis serves real admissions (a signed
 * image, an unsigned one in enforce, warn and audit namespaces, a missing one) against a real
 * registry while Prometheus scrapes it every second; then every PromQL expression of every
 * panel in deploy/grafana/portcullis.json runs through the Prometheus HTTP API and must return
 * at least one series with a number.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podReview } from '../../helpers/pod-review.js';
import { pushImage } from '../../helpers/push-image.js';
import { startPrometheus, type RunningPrometheus } from '../../helpers/prometheus-server.js';
import { createNotationSigner, type NotationSigner } from '../../helpers/notation-signer.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Panel { type: string; title: string; targets?: Array<{ expr: string; refId: string }> }
const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'deploy/grafana/portcullis.json'), 'utf8')) as { panels: Panel[] };
/** What Grafana puts in for the dashboard's variables: every job, and a window that spans several scrapes. */
const substitute = (expr: string) => expr.replaceAll('$job', '.*').replaceAll('$__rate_interval', '30s');
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: substitute(t.expr) })));

let registry: RunningRegistry;
let signer: NotationSigner;
let portcullis: TestPortcullis;
let prometheus: RunningPrometheus;
let stop = false;
let traffic: Promise<void> | undefined;

beforeAll(async () => {
  [registry, signer] = await Promise.all([startRegistry('distribution'), createNotationSigner('dashboard')]);
  const signed = `${registry.host}/dash/signed:1`;
  const unsigned = `${registry.host}/dash/unsigned:1`;
  const missing = `${registry.host}/dash/missing:1@sha256:${'0'.repeat(64)}`;
  const digest = (await pushImage(signed, { content: 'signed image' })).digest;
  const unsignedDigest = (await pushImage(unsigned, { content: 'unsigned image' })).digest;
  await signer.sign(`${registry.host}/dash/signed@${digest}`);
  portcullis = await startTestPortcullis({
    config: {
      registries: { insecure: [registry.host] },
      // Verifier results uncached, so verifiers run (and their latency panel has data) in every window.
      cache: { ttlSeconds: { results: 0 } },
      validation: { namespaces: { warned: 'warn', audited: 'audit' } },
      verifiers: [{
        name: 'release-signatures', type: 'notation', artifactTypes: ['application/vnd.cncf.notary.signature'], watch: false,
        trustStores: { ca: { release: [signer.certFile] } },
        trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
      }],
    },
  });
  prometheus = await startPrometheus({ job: 'portcullis', targets: [new URL(portcullis.running.metricsUrl).host] });
  const send = async (path: string, images: string[], namespace: string) => {
    const res = await portcullis.review(`${path}?timeout=10s`, podReview(images, { namespace }), { timeoutMs: 15_000 });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
  };
  // Real admissions the whole time Prometheus scrapes, so every rate() window holds some.
  // Bounded by the stop flag and a count.
  traffic = (async () => {
    for (let i = 0; !stop && i < 3000; i++) {
      await Promise.all([
        send('/mutate', [signed, unsigned], 'default'),
        // /validate sees what the API server sends after /mutate: digest-pinned references.
        send('/validate', [`${signed}@${digest}`], 'default'),
        send('/validate', [`${unsigned}@${unsignedDigest}`], i % 3 === 0 ? 'default' : i % 3 === 1 ? 'warned' : 'audited'),
        send('/validate', [missing], 'default'),
      ]);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}, 180_000);

afterAll(async () => {
  stop = true;
  await traffic?.catch(() => undefined);
  await prometheus?.stop();
  await portcullis?.close();
  await registry?.stop();
  signer?.cleanup();
});

describe('the Grafana dashboard on a real Prometheus', () => {
  it('has panels for what operators watch', () => {
    const text = JSON.stringify(dashboard);
    for (const metric of [
      'admission_requests_total', 'validation_decisions_total', 'image_denials_total', 'admission_duration_seconds_bucket',
      'registry_requests_total', 'registry_request_duration_seconds_bucket', 'cache_requests_total', 'verifier_duration_seconds',
      'policy_reloads_total', 'tls_reloads_total', 'tls_cert_expiry_timestamp_seconds', 'inflight_requests', 'admission_shed_total', 'canary_status',
    ]) expect(text).toContain(`portcullis_${metric}`);
    expect(queries.length).toBeGreaterThanOrEqual(20);
  });

  it('answers every panel query with series while Portcullis serves admissions', async () => {
    await waitFor('Prometheus to scrape Portcullis several times', async () => {
      const [up] = await prometheus.query('count_over_time(up{job="portcullis"}[1m])');
      return up && Number(up.value[1]) >= 5 ? true : undefined;
    }, 60_000, 500);
    const checked = queries;
    const empty = async () => {
      const missing: string[] = [];
      for (const q of checked) {
        const result = await prometheus.query(q.expr);
        if (!result.some((s) => Number.isFinite(Number(s.value[1])))) missing.push(`${q.panel} [${q.refId}]: ${q.expr}`);
      }
      return missing;
    };
    // Rates need two scrapes that both saw the traffic: wait until every query has numbers.
    let last: string[] = [];
    await waitFor('every panel query to return series', async () => {
      last = await empty();
      return last.length === 0 ? true : undefined;
    }, 45_000, 1000).catch(() => undefined);
    expect(last).toEqual([]);
    console.log(`dashboard on Prometheus: ${checked.length} panel queries, all returned series`);
  }, 120_000);
});
