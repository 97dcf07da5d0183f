/**
 * The setting of the integration bypass corpus for the admission layer (issue 13, classes
 * 6–10): a real registry (olareg) with one notation-signed and one unsigned image, reached
 * through a fault proxy, and a real Portcullis (HTTPS, the real validation pipeline and pinner
 * built from config, the default Rego policy) trusting the signing key.
 */
import type { Ports } from '../../src/server/runtime-ports.js';
import { fixture } from './admission-fixtures.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { pushImage } from './push-image.js';
import { startSignedImagesFixture, type SignedImagesFixture } from './signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from './start-test-portcullis.js';

export interface BypassSetting {
  readonly portcullis: TestPortcullis;
  readonly proxy: FaultProxy;
  /** Pushes an unsigned image to the registry; returns its references through the proxy. */
  pushUnsigned(repository: string): Promise<{ readonly tag: string; readonly digest: string; readonly pinned: string }>;
  /** Through the proxy: `host/app/signed0:1` and its digest. */
  readonly signed: { readonly tag: string; readonly digest: string; readonly pinned: string };
  /** Through the proxy: `host/app/unsigned:1`. */
  readonly unsigned: { readonly tag: string; readonly digest: string; readonly pinned: string };
  /** POSTs the review; expects HTTP 200 and returns the AdmissionReview's response. */
  answer(path: string, review: object, timeoutMs?: number): Promise<ReviewResponse>;
  stop(): Promise<void>;
}

export async function startBypassSetting(options: { config?: Record<string, unknown>; ports?: Partial<Ports> } = {}): Promise<BypassSetting> {
  const images: SignedImagesFixture = await startSignedImagesFixture({ count: 1, repositoryPrefix: 'app/signed' });
  let proxy: FaultProxy | undefined;
  try {
    const pushed = await pushImage(`${images.registry.host}/app/unsigned:1`, { content: 'unsigned' });
    proxy = await startFaultProxy(images.registry.host);
    const s = images.images[0]!;
    const signedTag = `${proxy.host}/app/signed0:1`;
    const unsignedTag = `${proxy.host}/app/unsigned:1`;
    const portcullis = await startTestPortcullis({
      config: {
        registries: { insecure: [proxy.host] },
        verifiers: [images.notationVerifier()],
        ...options.config,
      },
      ports: options.ports,
    });
    const p = proxy;
    return {
      portcullis, proxy: p,
      async pushUnsigned(repository) {
        const d = await pushImage(`${images.registry.host}/${repository}:1`, { content: `unsigned ${repository}` });
        return { tag: `${p.host}/${repository}:1`, digest: d.digest, pinned: `${p.host}/${repository}:1@${d.digest}` };
      },
      signed: { tag: signedTag, digest: s.digest, pinned: `${signedTag}@${s.digest}` },
      unsigned: { tag: unsignedTag, digest: pushed.digest, pinned: `${unsignedTag}@${pushed.digest}` },
      async answer(path, review, timeoutMs) {
        const r = await portcullis.review(path, review, { timeoutMs });
        if (r.status !== 200) throw new Error(`${path} answered HTTP ${r.status}: ${r.body.slice(0, 200)}`);
        return r.json<{ response: ReviewResponse }>().response;
      },
      async stop() {
        await portcullis.close();
        await p.stop();
        await images.stop();
      },
    };
  } catch (err) {
    await proxy?.stop();
    await images.stop();
    throw err;
  }
}

/** pod-update.json's AdmissionReview (a Pod UPDATE in `default`) with this spec and changes. */
export function podReview(spec: Record<string, unknown>, changes: { namespace?: string; operation?: string; oldSpec?: Record<string, unknown>; subResource?: string; uid?: string } = {}): object {
  const review = fixture('pod-update.json');
  const request = review.request as Record<string, unknown> & { object: { spec: unknown }; oldObject: { spec: unknown } };
  return {
    ...review,
    request: {
      ...request,
      uid: changes.uid ?? 'bypass-1',
      namespace: changes.namespace ?? 'default',
      operation: changes.operation ?? 'CREATE',
      ...(changes.subResource ? { subResource: changes.subResource } : {}),
      object: { ...request.object, spec },
      oldObject: changes.oldSpec ? { ...request.oldObject, spec: changes.oldSpec } : null,
    },
  };
}

export interface ReviewResponse {
  uid: string; allowed: boolean; status?: { code: number; message: string }; warnings?: string[];
  patch?: string; auditAnnotations?: Record<string, string>;
}

export function patchOf(r: ReviewResponse): unknown {
  return r.patch ? JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8')) : undefined;
}
