/**
 * For the composition root: self-managed certificates over the real API server, counted in
 * the metrics. main.ts imports this module only when the mode is on (it pulls in
 * @kubernetes/client-node and node-forge). The API server is found like the other Kubernetes features find it (absent:
 * like kubectl; null: none), and without one the mode cannot run: the start fails with a code.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { loadKubeConfig } from '../kubernetes/load-kube-config.js';
import type { Metrics } from '../observability/metrics.js';
import { createKubeWebhookCertsCluster } from './create-kube-webhook-certs-cluster.js';
import { startSelfManagedCerts, type SelfManagedCerts, type SelfManagedSettings } from './start-self-managed-certs.js';
import { WebhookCertsError } from './webhook-certs-error.js';

export async function startSelfManagedServing(settings: SelfManagedSettings, deps: {
  readonly kubeConfig?: KubeConfig | null | undefined;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'webhookCertSteps' | 'webhookCertLeader'>;
}): Promise<SelfManagedCerts> {
  const kubeConfig = deps.kubeConfig === undefined ? await loadKubeConfig() : deps.kubeConfig;
  if (!kubeConfig) throw new WebhookCertsError('NO_KUBERNETES', 'tls.selfManaged.enabled needs Kubernetes access, and no API server is configured');
  const { namespace, secretName, leaseName } = settings;
  deps.metrics.webhookCertLeader.set(0);
  return startSelfManagedCerts({
    cluster: createKubeWebhookCertsCluster({ kubeConfig, logger: deps.logger, namespace, secretName, leaseName }),
    settings,
    logger: deps.logger,
    onStep: (step) => deps.metrics.webhookCertSteps.inc({ step }),
    onLeadership: (leading) => deps.metrics.webhookCertLeader.set(leading ? 1 : 0),
  });
}
