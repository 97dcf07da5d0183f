/**
 * Applies the kustomize base to a test API server the way an operator would (server-side
 * apply, field manager `portcullis-e2e`), with the webhook configurations' clientConfig
 * pointed at a Portcullis (or stand-in) listening on loopback by URL and caBundle.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { loadManifests, type ManifestObject } from './load-manifests.js';

export interface WebhookTarget {
  /** e.g. `https://127.0.0.1:40123` (no path: /mutate and /validate are appended). */
  readonly baseUrl: string;
  /** PEM of the CA that signed the webhook's serving certificate. */
  readonly caPem: string;
}

/** The manifests with both webhook configurations calling `target` by URL instead of the Service. */
export function manifestsForTarget(target: WebhookTarget): ManifestObject[] {
  const caBundle = Buffer.from(target.caPem).toString('base64');
  return loadManifests().map(({ object }) => {
    if (object.kind !== 'MutatingWebhookConfiguration' && object.kind !== 'ValidatingWebhookConfiguration') return object;
    const path = object.kind === 'MutatingWebhookConfiguration' ? '/mutate' : '/validate';
    const copy = structuredClone(object) as ManifestObject & { webhooks: { clientConfig: unknown }[] };
    for (const w of copy.webhooks) w.clientConfig = { url: `${target.baseUrl}${path}`, caBundle };
    return copy;
  });
}

/** Server-side applies every object, in kustomization order (Namespace first). */
export async function applyManifests(kc: KubeConfig, objects: readonly ManifestObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) {
    await api.patch(object as KubernetesObject, undefined, undefined, 'portcullis-e2e', true, PatchStrategy.ServerSideApply);
  }
}
