/**
 * The subjectAltNames of the self-managed serving certificate: the names the API server uses
 * for a webhook's `clientConfig.service` (`<svc>.<ns>.svc`, docs: "Contacting the webhook"),
 * their shorter forms and the cluster.local form, then `extraNames` (a webhook reached by URL).
 */
export function serviceNames(options: { serviceName: string; namespace: string; extraNames: readonly string[] }): string[] {
  const { serviceName: s, namespace: n } = options;
  return [...new Set([`${s}.${n}.svc`, s, `${s}.${n}`, `${s}.${n}.svc.cluster.local`, ...options.extraNames])];
}
