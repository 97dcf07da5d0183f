/**
 * Bypass class "validation re-resolves tags" (issue 13, class 5; docs/validation.md). A Pod
 * whose image carries no digest reaches /validate (mutation skipped, off, or ordered after a
 * webhook that rewrote the image). Validation used to resolve the tag now, find the signed
 * image and admit the Pod. The tag can be moved to an unsigned image before the kubelet pulls
 * (`imagePullPolicy: Always`). Real registry (olareg), real `notation` signature, real `oras`
 * re-tag, real Portcullis over HTTPS. The unpinned Pod was admitted before the fix. Now enforce
 * mode denies it as not pinned, and only the operator's `validation.requireDigest: false` goes
 * back to resolving tags.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NOT_PINNED_REASON } from '../../../src/validation/create-image-validator.js';
import { validatePod, type ValidateAnswer } from '../../helpers/pod-review.js';
import { pushImage } from '../../helpers/push-image.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

let fixture: SignedImagesFixture;
let enforce: TestPortcullis;
let optedOut: TestPortcullis;
let signed: { ref: string; digest: string };

const config = (validation: Record<string, unknown>) => ({
  registries: { insecure: [fixture.registry.host] }, validation, verifiers: [fixture.notationVerifier()],
});

const validate = (p: TestPortcullis, image: string, namespace = 'default'): Promise<ValidateAnswer> => validatePod(p, [image], { namespace });

beforeAll(async () => {
  fixture = await startSignedImagesFixture({ count: 1, repositoryPrefix: 'app/web' });
  signed = fixture.images[0]!;
  enforce = await startTestPortcullis({ config: config({ namespaces: { relaxed: 'warn' } }) });
  optedOut = await startTestPortcullis({ config: config({ requireDigest: false }) });
}, 120_000);
afterAll(async () => {
  await enforce?.close();
  await optedOut?.close();
  await fixture?.stop();
});

describe('bypass: enforce mode never validates what a tag names now', () => {
  it('denies an image without a digest as not pinned, although the tag names a signed image right now', async () => {
    const answer = await validate(enforce, signed.ref);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toBe(`image "${signed.ref}" denied: ${NOT_PINNED_REASON}`);
  }, 60_000);

  it('verifies the digest the spec names, whatever the tag names by then', async () => {
    const pinned = `${signed.ref}@${signed.digest}`;
    expect((await validate(enforce, pinned)).allowed).toBe(true);
    // The tag is moved to an unsigned image: the pinned reference is still the signed digest,
    // and the unsigned digest under the same tag is denied on its own merits.
    const moved = await pushImage(signed.ref, { content: 'unsigned, pushed under the signed tag' });
    expect((await validate(enforce, pinned)).allowed).toBe(true);
    const answer = await validate(enforce, `${signed.ref}@${moved.digest}`);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('no valid signature');
  }, 60_000);

  it('still resolves the tag in warn mode, to report on what it names', async () => {
    const answer = await validate(enforce, signed.ref, 'relaxed');
    expect(answer.allowed).toBe(true);
    expect(answer.warnings?.join('\n') ?? '').not.toContain('not pinned');
  }, 60_000);

  it('resolves the tag when the operator opts out (validation.requireDigest: false)', async () => {
    const answer = await validate(optedOut, signed.ref);
    // The tag now names the unsigned image pushed above: resolved, verified, denied for that.
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('no valid signature');
    expect(answer.status?.message).not.toContain('not pinned');
  }, 60_000);
});
