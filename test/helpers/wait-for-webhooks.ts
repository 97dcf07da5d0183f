/**
 * The API server picks webhook configurations up asynchronously: resolves once a dry-run create
 * of `pod` in `namespace` is judged by Portcullis (refused, or its first image patched away from
 * `image` as written), so a test's first real create is not admitted before the webhooks are on.
 */
import type { KubeClient } from './kube-client.js';
import { waitFor } from './wait-for.js';

interface PodBody { spec: { containers: { image: string }[] } }

export async function waitForWebhooks(admin: KubeClient, namespace: string, pod: unknown, image: string): Promise<void> {
  await waitFor('the webhooks to be active', async () => {
    const res = await admin.create<PodBody>(`/api/v1/namespaces/${namespace}/pods`, pod, { dryRun: true });
    return res.status !== 201 || res.body.spec.containers[0]?.image !== image ? true : undefined;
  }, 30_000);
}
