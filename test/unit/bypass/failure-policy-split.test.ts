/**
 * Bypass class 6 (issue 13), server side: with `admission.failurePolicy: allow`, a registry
 * that accepted the connection and never answered made an unsigned image allowed, because the
 * answer's deadline fired first. Now the ports work to an earlier deadline of their own, so one
 * image's stalled registry ends in the validator's verdict (denied in enforce mode), mutation
 * failures follow `mutation.onError` only, and `admission.failurePolicy` applies only when
 * Portcullis itself cannot answer — counted in `portcullis_admission_failures_total`.
 * (test/integration/bypass/failure-policy-split.test.ts does the same with a real stalled registry.)
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { FakeImagePinner, type FakeImagePinnerOptions } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator, type FakeImageValidatorOptions } from '../../helpers/fake-image-validator.js';

const STALL = 'registry "registry:5000" did not answer in time';
interface ReviewBody { response: { allowed: boolean; status?: { message: string }; warnings?: string[]; patch?: string } }

describe('bypass class 6: a stalled registry versus Portcullis unable to answer', () => {
  let app: AdmissionApp | undefined;
  afterEach(async () => { await app?.close(); app = undefined; });

  async function start(v: FakeImageValidatorOptions, p: FakeImagePinnerOptions, config: Record<string, unknown> = { admission: { failurePolicy: 'allow' } }) {
    const validator = new FakeImageValidator(v);
    const pinner = new FakeImagePinner(p);
    app = await startAdmissionApp({ ports: { validator, pinner }, config });
    return { app, validator, pinner };
  }
  const failures = async (a: AdmissionApp, cause: string): Promise<number> =>
    (await a.metrics.admissionFailures.get()).values.find((v) => v.labels.cause === cause)?.value ?? 0;

  it('denies the image with the validator\'s verdict before the answer\'s deadline, even with failurePolicy allow', async () => {
    const { app: a, validator } = await start({ verdictOnAbort: STALL }, {});
    const before = Date.now();
    const r = await a.review('/validate?timeout=2s', fixture('pod-update.json'));
    expect(r.json<ReviewBody>().response).toMatchObject({ allowed: false, status: { message: `image "nginx:1.27" denied: ${STALL}` } });
    // The validator's deadline comes before the answer's (2 s minus the 200 ms buffer).
    const ctx = validator.calls[0]!.ctx;
    expect(ctx.deadline).toBeLessThan(before + 1800);
    expect(ctx.signal.aborted).toBe(true);
    expect(await failures(a, 'timeout')).toBe(0);
  });

  it('applies failurePolicy allow only when the validator itself cannot answer in time, and counts it', async () => {
    const { app: a } = await start({ hang: true }, {});
    const r = await a.review('/validate?timeout=1s', fixture('pod-update.json'));
    expect(r.json<ReviewBody>().response).toMatchObject({
      allowed: true, warnings: [expect.stringMatching(/^portcullis validation timed out after 800 ms at stage "validate" \(images: nginx:1\.27\); admitted \(admission\.failurePolicy: allow\)$/)],
    });
    expect(await failures(a, 'timeout')).toBe(1);
  });

  it('applies failurePolicy to an internal fault, and counts it', async () => {
    const { app: a } = await start({ throws: new Error('validator bug') }, {}, {});
    const r = await a.review('/validate', fixture('pod-update.json'));
    expect(r.status).toBe(200);
    expect(r.json<ReviewBody>().response).toMatchObject({
      allowed: false, status: { message: 'portcullis validation failed at stage "validate": validator bug (images: nginx:1.27); denied (admission.failurePolicy: deny)' },
    });
    expect(await failures(a, 'internal')).toBe(1);
  });

  it('lets a stalled registry during mutation follow mutation.onError: deny, not failurePolicy allow', async () => {
    const { app: a } = await start({}, { errorOnAbort: 'did not answer in time' });
    const r = await a.review('/mutate?timeout=2s', fixture('pod-update.json'));
    expect(r.json<ReviewBody>().response).toMatchObject({
      allowed: false, status: { message: 'cannot pin image "nginx:1.27" to a digest: nginx:1.27: did not answer in time (DEADLINE)' },
    });
    expect(await failures(a, 'timeout')).toBe(0);
  });

  it('lets a stalled registry during mutation follow mutation.onError: allow, with a warning', async () => {
    const { app: a } = await start({}, { errorOnAbort: 'did not answer in time' }, { admission: { failurePolicy: 'deny' }, mutation: { onError: 'allow' } });
    const r = await a.review('/mutate?timeout=2s', fixture('pod-update.json'));
    const { response } = r.json<ReviewBody>();
    expect(response).toMatchObject({ allowed: true, warnings: [expect.stringContaining('admitted unpinned (mutation.onError: allow)')] });
    expect(response.patch).toBeUndefined();
  });
});
