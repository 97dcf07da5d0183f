/**
 * Finds how to reach the API server, like kubectl and client-go do: `$KUBECONFIG`, then
 * `~/.kube/config`, then the in-cluster ServiceAccount (a Pod: KUBERNETES_SERVICE_HOST and the
 * mounted token). `undefined` when none applies (e.g. `portcullis serve` on a laptop without
 * a cluster), so the composition root can leave the Kubernetes-backed features off.
 *
 * @kubernetes/client-node is imported only once a source is found: it is the largest
 * dependency (~80 MiB of RSS in a fresh process, bench/memory-startup.ts --modules), and a
 * server without an API server never needs it (issue 15: RSS at ready).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesError } from './kubernetes-error.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export async function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | undefined> {
  const file = (env.KUBECONFIG ?? '').split(':').find((f) => f !== '' && existsSync(f)) ?? [join(env.HOME ?? homedir(), '.kube', 'config')].find((f) => existsSync(f));
  const inCluster = file === undefined && env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '' && existsSync(SERVICE_ACCOUNT_TOKEN);
  if (file === undefined && !inCluster) return undefined;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (file !== undefined) kc.loadFromFile(file);
    else kc.loadFromCluster();
  } catch (err) {
    throw new KubernetesError('API_ERROR', `cannot load the kubeconfig: ${(err as Error).message}`, { cause: err });
  }
  return kc.getCurrentCluster() ? kc : undefined;
}
