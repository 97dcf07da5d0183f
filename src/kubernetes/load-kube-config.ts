/**
 * Finds how to reach the API server, like kubectl and client-go do: `$KUBECONFIG`, then
 * `~/.kube/config`, then the in-cluster ServiceAccount (a Pod: KUBERNETES_SERVICE_HOST and the
 * mounted token). `undefined` when none applies (e.g. `portcullis serve` on a laptop without
 * a cluster), so the composition root can leave the Kubernetes-backed features off.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesError } from './kubernetes-error.js';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig | undefined {
  const kc = new KubeConfig();
  try {
    const files = (env.KUBECONFIG ?? '').split(':').filter((f) => f !== '' && existsSync(f));
    if (files.length > 0) {
      kc.loadFromFile(files[0] as string);
    } else if (existsSync(join(env.HOME ?? homedir(), '.kube', 'config'))) {
      kc.loadFromFile(join(env.HOME ?? homedir(), '.kube', 'config'));
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
      kc.loadFromCluster();
    } else {
      return undefined;
    }
  } catch (err) {
    throw new KubernetesError('API_ERROR', `cannot load the kubeconfig: ${(err as Error).message}`, { cause: err });
  }
  return kc.getCurrentCluster() ? kc : undefined;
}
