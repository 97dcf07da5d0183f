import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { fixture, fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

const DB = `sha256:${'0b'.repeat(32)}`;
const DENY_REASON = 'no valid notation signature';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

interface ReviewBody { response: { uid: string; allowed: boolean; status?: { code: number; message: string }; warnings?: string[]; patch?: string; patchType?: string; auditAnnotations?: Record<string, string> } }

describe('the admission server (real HTTPS on 127.0.0.1)', () => {
  let p: TestPortcullis;
  const validator = new FakeImageValidator({ deny: { 'registry:5000/a/b:tag': [DENY_REASON] } });
  const pinner = new FakeImagePinner({ pinned: { 'nginx:1.27': `nginx:1.27@${DB}` } });

  beforeAll(async () => {
    p = await startTestPortcullis({ ports: { pinner, validator, ready: () => true } });
  }, 30_000);
  afterAll(async () => {
    await p?.close();
  });

  const stillAnswers = async () => {
    const r = await p.review('/mutate', fixtureText('pod-update.json'));
    expect(r.status).toBe(200);
    expect(r.json<ReviewBody>().response).toMatchObject({ uid: 'pod-update-1', allowed: true, patchType: 'JSONPatch' });
  };

  describe('health', () => {
    it('answers /healthz and /readyz on TLS and on the metrics port', async () => {
      expect((await p.get('/healthz')).status).toBe(200);
      expect((await p.get('/readyz')).status).toBe(200);
      expect((await httpGet(`${p.running.metricsUrl}/healthz`)).status).toBe(200);
      expect((await httpGet(`${p.running.metricsUrl}/readyz`)).body).toBe('ready');
    });
  });

  describe('POST /mutate', () => {
    it('answers with the request uid and a base64 JSONPatch', async () => {
      const r = await p.review('/mutate?timeout=10s', fixtureText('pod-update.json'));
      const { response } = r.json<ReviewBody>();
      expect(r.json<{ apiVersion: string; kind: string }>()).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
      expect(response.uid).toBe('pod-update-1');
      expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString())).toEqual([
        { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` },
      ]);
    });
  });

  describe('bad input', () => {
    const review = fixture('pod-update.json');
    const cases: Array<[string, string, string]> = [
      ['not JSON', 'this is not json', 'NOT_JSON'],
      ['the wrong apiVersion', JSON.stringify({ ...review, apiVersion: 'admission.k8s.io/v1beta1' }), 'BAD_API_VERSION'],
      ['the wrong kind', JSON.stringify({ ...review, kind: 'Pod' }), 'BAD_KIND'],
      ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'NO_REQUEST'],
      ['no uid', JSON.stringify({ ...review, request: { ...review.request, uid: undefined } }), 'NO_UID'],
      ['100k levels of nesting', `{"apiVersion":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'TOO_DEEP'],
      ['a body over the 3 MiB limit', JSON.stringify({ ...review, padding: 'x'.repeat(3 * 1024 * 1024 + 10) }), 'BODY_TOO_LARGE'],
    ];
    it.each(cases)('answers %s with HTTP 400 and a reason, then keeps serving', async (_what, body, code) => {
      for (const path of ['/validate', '/mutate']) {
        const r = await p.review(path, body);
        expect(r.status).toBe(400);
        expect(r.json()).toEqual({ code, message: expect.any(String) });
        await stillAnswers();
      }
    }, 20_000);

    it('denies an object it cannot read (an image that is not a string) with a reason, rather than answering 400', async () => {
      for (const path of ['/validate', '/mutate']) {
        const r = await p.review(path, fixtureText('pod-update.json').replace('"image": "nginx:1.27"', '"image": ["nginx"]'));
        expect(r.status).toBe(200);
        expect(r.json<ReviewBody>().response).toEqual({
          uid: 'pod-update-1', allowed: false,
          status: { code: 400, reason: 'BadRequest', message: 'portcullis cannot read the object: /spec/containers/0/image is not a string' },
        });
      }
    });

    it('logs and counts them as invalid', async () => {
      const lines = p.logs.filter((l) => l.msg === 'admission review' && l.decision === 'invalid');
      expect(lines.length).toBeGreaterThanOrEqual(cases.length * 2);
      const metrics = await httpGet(`${p.running.metricsUrl}/metrics`);
      expect(metrics.body).toMatch(/portcullis_admission_requests_total\{webhook="validate",decision="invalid"\} \d+/);
    });
  });

  describe('POST /validate', () => {
    it('denies with 403 naming the image and its reason in enforce mode', async () => {
      const r = await p.review('/validate', fixtureText('deployment-create.json'));
      expect(r.json<ReviewBody>().response).toMatchObject({
        uid: 'deploy-create-1', allowed: false,
        status: { code: 403, message: `image "registry:5000/a/b:tag" denied: ${DENY_REASON}` },
      });
    });

    it('allows an excluded namespace untouched', async () => {
      const r = await p.review('/validate', fixtureText('pod-kube-system.json'));
      expect(r.json<ReviewBody>().response).toEqual({ uid: 'pod-ks-1', allowed: true });
    });

    it('applies a mode change from the config file without a restart (warn, then audit per namespace)', async () => {
      await p.reconfigure({ validation: { mode: 'warn' } });
      const warn = (await p.review('/validate', fixtureText('deployment-create.json'))).json<ReviewBody>().response;
      expect(warn.allowed).toBe(true);
      expect(warn.warnings).toEqual([`portcullis (warn mode): image "registry:5000/a/b:tag" denied: ${DENY_REASON}`]);

      await p.reconfigure({ validation: { mode: 'enforce', namespaces: { 'team-a': 'audit' } } });
      const audit = (await p.review('/validate', fixtureText('deployment-create.json'))).json<ReviewBody>().response;
      expect(audit.allowed).toBe(true);
      expect(audit.auditAnnotations).toMatchObject({ mode: 'audit', decision: 'would-deny', 'image-1': `registry:5000/a/b:tag would be denied: ${DENY_REASON}` });

      // An invalid change is refused and the running config kept.
      expect(await p.reconfigure({ validation: { mode: 'loud' } })).toBe('refused');
      expect(p.running.configStore.current().validation.namespaces).toEqual({ 'team-a': 'audit' });
      // So is a change whose ports cannot be built (here: a policy bundle that does not exist).
      expect(await p.reconfigure({ validation: { mode: 'warn' }, policy: { bundle: 'missing-bundle.tar.gz' } })).toBe('refused');
      expect(p.running.configStore.current().validation.mode).toBe('enforce');
      expect((await p.review('/validate', fixtureText('deployment-create.json'))).json<ReviewBody>().response.allowed).toBe(true); // still audit for team-a
      await p.reconfigure({});
      expect((await p.review('/validate', fixtureText('deployment-create.json'))).json<ReviewBody>().response.allowed).toBe(false);
    }, 20_000);
  });

  describe('logging', () => {
    it('writes exactly one line per admission request with uid, kind, namespace/name, images, decision and duration', async () => {
      await p.review('/validate', fixtureText('cronjob-create.json'));
      const lines = p.logs.filter((l) => l.msg === 'admission review' && l.uid === 'cronjob-create-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        webhook: 'validate', uid: 'cronjob-create-1', kind: 'batch/v1/CronJob', namespace: 'team-a', name: 'cronjob',
        images: ['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@sha256:${'a1'.repeat(32)}`],
        decision: 'denied', durationMs: expect.any(Number),
      });
    });
  });

  describe('metrics', () => {
    it('exposes admission counters, durations and in-flight gauges on the metrics port', async () => {
      const m = await httpGet(`${p.running.metricsUrl}/metrics`);
      expect(m.status).toBe(200);
      expect(m.body).toMatch(/portcullis_admission_requests_total\{webhook="validate",decision="denied"\} [1-9]/);
      expect(m.body).toMatch(/portcullis_admission_requests_total\{webhook="mutate",decision="allowed"\} [1-9]/);
      expect(m.body).toMatch(/portcullis_admission_duration_seconds_count\{webhook="mutate"\} [1-9]/);
      expect(m.body).toContain('portcullis_inflight_requests{webhook="validate"} 0');
      expect(m.body).toMatch(/portcullis_tls_cert_expiry_timestamp_seconds\{cert="serving"\} \d+/);
      expect(m.body).toContain('portcullis_process_cpu_seconds_total');
    });

    it('is not served on the TLS port', async () => {
      expect((await p.get('/metrics')).status).toBe(404);
    });
  });
});

describe('the deadline', () => {
  let p: TestPortcullis;
  const hang = new FakeImageValidator({ hang: true });
  const hangPin = new FakeImagePinner({ hang: true });
  beforeAll(async () => {
    p = await startTestPortcullis({ ports: { pinner: hangPin, validator: hang, ready: () => true } });
  }, 30_000);
  afterAll(async () => {
    await p?.close();
  });

  it('answers before ?timeout= with failurePolicy deny when the validator never answers', async () => {
    // The client gives up at the API server's timeout: an answer at all means it came in time.
    const r = await p.review('/validate?timeout=1s', fixtureText('deployment-create.json'), { timeoutMs: 1000 });
    const { response } = r.json<ReviewBody>();
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(
      `portcullis validation timed out after 800 ms at stage "validate" (images: library/nginx:1.27, registry:5000/a/b:tag, ghcr.io/o/r@sha256:${'a1'.repeat(32)}); denied (admission.failurePolicy: deny)`);
    expect(hang.calls.at(-1)?.ctx.signal.aborted).toBe(true);
  }, 10_000);

  it('answers with failurePolicy allow and a warning when so configured', async () => {
    await p.reconfigure({ admission: { failurePolicy: 'allow', deadlineBufferMs: 300 } });
    const r = await p.review('/mutate?timeout=1s', fixtureText('pod-update.json'), { timeoutMs: 1000 });
    const { response } = r.json<ReviewBody>();
    expect(response).toEqual({
      uid: 'pod-update-1', allowed: true,
      warnings: ['portcullis mutation timed out after 700 ms at stage "pin" (images: nginx:1.27); admitted (admission.failurePolicy: allow)'],
    });
  }, 10_000);
});

describe('the default ports (real registry client, pipeline and bundled policy)', () => {
  let p: TestPortcullis;
  let registry: RunningRegistry;
  let pushed: { digest: string };
  beforeAll(async () => {
    registry = await startRegistry('distribution');
    pushed = await pushImage(`${registry.host}/team/app:1.0`);
    p = await startTestPortcullis({ config: { registries: { insecure: [registry.host] } } });
  }, 60_000);
  afterAll(async () => {
    await p?.close();
    await registry?.stop();
  });

  it('pins a tag to the digest the registry serves', async () => {
    const image = `${registry.host}/team/app:1.0`;
    const body = fixtureText('pod-update.json').replace('"image": "nginx:1.27"', `"image": "${image}"`);
    const r = (await p.review('/mutate', body)).json<ReviewBody>().response;
    expect(r.allowed).toBe(true);
    expect(JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString())).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: `${image}@${pushed.digest}` },
    ]);
  });

  it('denies when the tag does not exist, naming the image', async () => {
    const image = `${registry.host}/team/app:missing`;
    const body = fixtureText('pod-update.json').replace('"image": "nginx:1.27"', `"image": "${image}"`);
    const r = (await p.review('/mutate', body)).json<ReviewBody>().response;
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(`cannot pin image "${image}" to a digest`);
  });

  it('denies an unsigned image by the bundled policy, naming the image and the reason', async () => {
    const image = `${registry.host}/team/app:1.0@${pushed.digest}`;
    const body = fixtureText('pod-update.json').replace('"image": "nginx:1.27"', `"image": "${image}"`);
    const r = await p.review('/validate', body);
    expect(r.status).toBe(200);
    const { response } = r.json<ReviewBody>();
    expect(response.uid).toBe('pod-update-1');
    expect(response.auditAnnotations?.['image-0']).toContain(image);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe(`image "${image}" denied: no valid signature: no Notation or Cosign signature found for this image`);
    expect((await p.get('/readyz')).status).toBe(200);
  });
});

describe('mTLS', () => {
  let p: TestPortcullis;
  beforeAll(async () => {
    p = await startTestPortcullis({ mtls: true, ports: { validator: new FakeImageValidator(), ready: () => true } });
  }, 30_000);
  afterAll(async () => {
    await p?.close();
  });

  it('serves a client with a certificate from the client CA and refuses one without', async () => {
    expect((await p.review('/validate', fixtureText('pod-update.json'))).status).toBe(200);
    await expect(httpsRequest(`${p.running.url}/healthz`, { ca: p.certs.ca.certPem })).rejects.toThrow();
  });
});
