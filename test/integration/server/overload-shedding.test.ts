/**
 * Overload sheds, not times out (issue 14 item 8): with `admission.maxInflight` reviews held in
 * flight by a validator that does not answer yet, the next review is answered at once in the
 * failure mode — an AdmissionReview with its uid, HTTP 200 — and counted. By count, not time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import type { HttpsResponse } from '../../helpers/https-client.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { waitFor } from '../../helpers/wait-for.js';

interface ReviewBody { response: { uid: string; allowed: boolean; status?: { message: string }; warnings?: string[] } }

function metricsText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(`${url}/metrics`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

const shedCount = async (p: TestPortcullis, webhook: string): Promise<number> => {
  const line = (await metricsText(p.running.metricsUrl)).split('\n')
    .find((l) => l.startsWith(`portcullis_admission_shed_total{webhook="${webhook}",reason="inflight"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('overload shedding (admission.maxInflight)', () => {
  const MAX = 3;
  let p: TestPortcullis;
  let release!: () => void;
  const validator = new FakeImageValidator({ until: new Promise<void>((r) => { release = r; }) });

  beforeAll(async () => {
    p = await startTestPortcullis({
      // The lag bound is off here so that only the in-flight count decides.
      config: { admission: { maxInflight: MAX, maxEventLoopLagMs: 0, failurePolicy: 'deny' } },
      ports: { validator, ready: () => true },
    });
  }, 60_000);
  afterAll(async () => {
    release?.();
    await p?.close();
  });

  it('answers the review past the bound at once with the failure mode and counts it, while the held ones complete', async () => {
    const held: Promise<HttpsResponse>[] = [];
    for (let i = 0; i < MAX; i++) held.push(p.review('/validate?timeout=30s', fixtureText('pod-create.json'), { timeoutMs: 60_000 }));
    await waitFor('the reviews to reach the validator', () => (validator.calls.length === MAX ? true : undefined));
    const before = await shedCount(p, 'validate');

    const shed = await p.review('/validate?timeout=30s', fixtureText('pod-create.json'));
    expect(shed.status).toBe(200);
    const { response } = shed.json<ReviewBody>();
    expect(response).toMatchObject({ uid: 'pod-create-1', allowed: false });
    expect(response.status?.message).toMatch(/overloaded: more than admission\.maxInflight \(3\) reviews in flight; denied/);
    expect(validator.calls.length).toBe(MAX);
    expect(await shedCount(p, 'validate')).toBe(before + 1);
    expect(p.logs.some((l) => l.msg === 'admission review shed' && l.shed === 'inflight')).toBe(true);

    release();
    const answers = await Promise.all(held);
    expect(answers.map((r) => [r.status, r.json<ReviewBody>().response.allowed])).toEqual(Array.from({ length: MAX }, () => [200, true]));
  }, 60_000);

  it('lets reviews through again once the held ones are answered', async () => {
    const r = await p.review('/validate', fixtureText('pod-create.json'));
    expect(r.json<ReviewBody>().response.allowed).toBe(true);
  });

  it('admits with a warning when admission.failurePolicy is allow', async () => {
    let hold!: () => void;
    const gate = new Promise<void>((r) => { hold = r; });
    const slow = new FakeImageValidator({ until: gate });
    const q = await startTestPortcullis({ config: { admission: { maxInflight: 1, maxEventLoopLagMs: 0, failurePolicy: 'allow' } }, ports: { validator: slow, ready: () => true } });
    try {
      const first = q.review('/validate', fixtureText('pod-create.json'), { timeoutMs: 60_000 });
      await waitFor('the first review to reach the validator', () => (slow.calls.length === 1 ? true : undefined));
      const { response } = (await q.review('/mutate', fixtureText('pod-create.json'))).json<ReviewBody>();
      expect(response).toMatchObject({ uid: 'pod-create-1', allowed: true });
      expect(response.warnings?.[0]).toMatch(/overloaded.*admitted unchecked \(admission\.failurePolicy: allow\)/);
      expect(await shedCount(q, 'mutate')).toBe(1);
      hold();
      expect((await first).status).toBe(200);
    } finally {
      hold();
      await q.close();
    }
  }, 90_000);
});
