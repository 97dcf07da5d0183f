/**
 * AuditCluster over @kubernetes/client-node's generic object API: paged cluster-wide lists,
 * reports written by server-side apply (field manager `portcullis`; idempotent, so several
 * replicas writing the same scan do not conflict), stale reports deleted.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { AuditCluster } from './audit-types.js';
import { MANAGED_BY, REPORT_NAME } from './build-policy-reports.js';

const PAGE = 500;

/** client-node's generic API takes no per-call signal: the call is abandoned when it aborts. */
function abandonOn<T>(signal: AbortSignal, p: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const selector = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');

export function createKubeAuditCluster(kubeConfig: KubeConfig): AuditCluster {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    async list(apiVersion, kind, limit, signal) {
      const items: Record<string, unknown>[] = [];
      let token: string | undefined;
      do {
        const page = await abandonOn(signal, api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, undefined, Math.min(PAGE, limit - items.length), token));
        for (const item of page.items) items.push(item as unknown as Record<string, unknown>);
        token = page.metadata?._continue || undefined;
      } while (token && items.length < limit);
      return { items, truncated: token !== undefined };
    },
    async writeReports(reports, cluster, signal) {
      const apply = (o: Record<string, unknown>) => abandonOn(signal, api.patch(o as unknown as KubernetesObject, undefined, undefined, 'portcullis', true, PatchStrategy.ServerSideApply));
      for (const r of reports) await apply(r);
      await apply(cluster);
      const keep = new Set(reports.map((r) => (r.metadata as { namespace: string }).namespace));
      const existing = await abandonOn(signal, api.list('wgpolicyk8s.io/v1alpha2', 'PolicyReport', undefined, undefined, undefined, undefined, undefined, selector));
      for (const old of existing.items) {
        const ns = old.metadata?.namespace;
        if (old.metadata?.name === REPORT_NAME && ns && !keep.has(ns)) {
          await abandonOn(signal, api.delete({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: REPORT_NAME, namespace: ns } }));
        }
      }
    },
  };
}
