/**
 * Bypass class "a stalled registry turns into allow", validator side (issue 13, class 6;
 * docs/validation.md "When a registry or the policy fails"). With `admission.failurePolicy:
 * allow`, one image's registry failing or stalling, or the policy hitting a runtime error on
 * one image's input, must deny that image and name the cause. `failurePolicy` is only for
 * Portcullis itself being unable to answer; the server side of that (the ports work to an
 * earlier deadline, so the validator's verdict beats the API server's timeout) lives in
 * src/server/, and the last case below runs through it over HTTPS. Real registry (olareg) behind a fault proxy that
 * accepts connections and never answers, real `notation` signature, the real pipeline built
 * from config (buildValidationPipeline), real Rego compiled to Wasm.
 * The Rego runtime error was admitted before the fix (failurePolicy allow turned it into an
 * allow with a warning). The stall was reported without naming the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { parseConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createRegistryClient } from '../../../src/oci/registry-client.js';
import { buildValidationPipeline, type ValidationPipeline } from '../../../src/validation/build-validation-pipeline.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { validatePod } from '../../helpers/pod-review.js';
import { pushImage } from '../../helpers/push-image.js';
import { startSignedImagesFixture, type SignedImagesFixture } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis } from '../../helpers/start-test-portcullis.js';

let fixture: SignedImagesFixture;
let proxy: FaultProxy;
const pipelines: ValidationPipeline[] = [];

function ctx(timeoutMs: number): AdmissionContext {
  return {
    signal: AbortSignal.timeout(timeoutMs), deadline: Date.now() + timeoutMs,
    request: { uid: 'u1', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'web', userInfo: { username: 'mallory', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

async function pipeline(bundle: string | null): Promise<ValidationPipeline> {
  const config = parseConfig({
    admission: { failurePolicy: 'allow' },
    registries: { insecure: [proxy.host] },
    policy: { bundle },
    // Only the known-bad canary input is checked against this test policy; it is flagged, not refused.
    canary: { onUnsafe: 'flag' },
    verifiers: [fixture.notationVerifier()],
  }, { baseDir: process.cwd(), file: null });
  const p = await buildValidationPipeline(config, { client: createRegistryClient({ insecure: [proxy.host] }), logger: silentLogger(), watchPolicy: false });
  pipelines.push(p);
  return p;
}

beforeAll(async () => {
  fixture = await startSignedImagesFixture({ count: 1, repositoryPrefix: 'app/signed' });
  proxy = await startFaultProxy(fixture.registry.host);
}, 120_000);
afterAll(async () => {
  for (const p of pipelines) await p.close();
  await proxy?.stop();
  await fixture?.stop();
});

describe('bypass: one image\'s registry or policy failing denies that image, whatever failurePolicy says', () => {
  it('a registry that accepts the connection and never answers: denied, naming the registry and "did not answer in time"', async () => {
    const stalled = await pushImage(`${fixture.registry.host}/app/stalled:1`, { content: 'never served' });
    const signed = fixture.images[0]!;
    proxy.setFault((r) => (r.path.includes('/app/stalled/') ? { delayMs: 120_000 } : undefined));
    try {
      const p = await pipeline(null);
      const stalledRef = `${proxy.host}/app/stalled:1@${stalled.digest}`;
      const signedRef = `${proxy.host}/${signed.repository.slice(fixture.registry.host.length + 1)}:1@${signed.digest}`;
      const [bad, good] = await p.validator.validate([stalledRef, signedRef], ctx(3_000));
      expect(bad).toMatchObject({ image: stalledRef, allowed: false });
      expect(bad!.reasons.join('\n')).toContain(`registry ${proxy.host} did not answer in time`);
      expect(good).toMatchObject({ image: signedRef, allowed: true });
    } finally {
      proxy.setFault(undefined);
    }
  }, 60_000);

  it('through the webhook over HTTPS: the stalled image is denied in the answer, not admitted by failurePolicy allow', async () => {
    const stalled = await pushImage(`${fixture.registry.host}/app/stalled-https:1`, { content: 'never served either' });
    proxy.setFault((r) => (r.path.includes('/app/stalled-https/') ? { delayMs: 120_000 } : undefined));
    const p = await startTestPortcullis({
      config: { admission: { failurePolicy: 'allow' }, registries: { insecure: [proxy.host] }, verifiers: [fixture.notationVerifier()] },
    });
    try {
      const image = `${proxy.host}/app/stalled-https:1@${stalled.digest}`;
      const answer = await validatePod(p, [image], { timeoutSeconds: 4 });
      expect(answer.allowed).toBe(false);
      expect(answer.status?.message).toContain(`image "${image}" denied: `);
      expect(answer.status?.message).toContain(`registry ${proxy.host} did not answer in time`);
    } finally {
      proxy.setFault(undefined);
      await p.close();
    }
  }, 60_000);

  it('a Rego runtime error on one image\'s input: that image denied with the policy error, others judged as usual', async () => {
    const trips = await pushImage(`${fixture.registry.host}/app/trips-policy:1`, { content: 'unsigned, trips the policy' });
    const signed = fixture.images[0]!;
    const p = await pipeline((await buildFixtureBundle('runtime-error')).path);
    const tripsRef = `${proxy.host}/app/trips-policy:1@${trips.digest}`;
    const signedRef = `${proxy.host}/${signed.repository.slice(fixture.registry.host.length + 1)}:1@${signed.digest}`;
    const [bad, good] = await p.validator.validate([tripsRef, signedRef], ctx(20_000));
    expect(bad).toMatchObject({ image: tripsRef, allowed: false, warnings: [] });
    expect(bad!.reasons).toHaveLength(1);
    expect(bad!.reasons[0]).toMatch(/^policy error: .*conflict/);
    expect(good).toMatchObject({ image: signedRef, allowed: true });
  }, 60_000);
});
