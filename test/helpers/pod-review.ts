/** A Pod AdmissionReview (CREATE) with one container per image, for tests that POST to /validate. */
import type { TestPortcullis } from './start-test-portcullis.js';

let uid = 0;

export function podReview(images: readonly string[], options: { namespace?: string } = {}): object {
  const namespace = options.namespace ?? 'default';
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `pod-review-${++uid}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web', namespace, operation: 'CREATE', userInfo: { username: 'mallory', groups: [] },
      object: {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
      oldObject: null, dryRun: false,
    },
  };
}

export interface ValidateAnswer {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly message: string } | undefined;
  readonly warnings?: readonly string[] | undefined;
  readonly auditAnnotations?: Readonly<Record<string, string>> | undefined;
}

/** POSTs a Pod with `images` to /validate (admission timeout default 20 s) and returns the response, failing on a non-200. */
export async function validatePod(p: TestPortcullis, images: readonly string[], options: { namespace?: string; timeoutSeconds?: number } = {}): Promise<ValidateAnswer> {
  const seconds = options.timeoutSeconds ?? 20;
  const res = await p.review(`/validate?timeout=${seconds}s`, podReview(images, options), { timeoutMs: (seconds + 5) * 1000 });
  if (res.status !== 200) throw new Error(`/validate answered HTTP ${res.status}`);
  return res.json<{ response: ValidateAnswer }>().response;
}
