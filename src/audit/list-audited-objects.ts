/**
 * Reads the objects the audit covers (SPEC "Objects and images covered"): every Pod, and every
 * pod-template owner that no other covered object controls (a Deployment, but not its
 * ReplicaSets; a CronJob, but not its Jobs), so each template is reported once, where people
 * edit it. Objects are API server input: only the fields read here are used.
 */
import { findImages } from '../admission/find-images.js';
import { isObject } from '../shared/is-object.js';
import { errorMessage } from '../shared/error-message.js';
import type { AuditCluster, AuditedObject, AuditProblem } from './audit-types.js';

export const AUDITED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'PodTemplate' },
  { apiVersion: 'v1', kind: 'ReplicationController' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
];

const TEMPLATE_OWNERS = new Set(AUDITED_KINDS.map((k) => k.kind).filter((k) => k !== 'Pod'));

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** True when a covered kind controls this object (its template is reported on the owner). */
function controlledByTemplateOwner(metadata: Record<string, unknown>): boolean {
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : [];
  return owners.some((o) => isObject(o) && o.controller === true && TEMPLATE_OWNERS.has(str(o.kind) ?? ''));
}

export function toAuditedObject(apiVersion: string, kind: string, item: Record<string, unknown>): AuditedObject | undefined {
  const metadata = isObject(item.metadata) ? item.metadata : {};
  const name = str(metadata.name);
  const namespace = str(metadata.namespace);
  if (!name || !namespace) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  let found;
  try {
    found = findImages({ kind: { group, version, kind }, subResource: undefined, object: item } as Parameters<typeof findImages>[0]);
  } catch {
    return undefined; // a malformed object: nothing the admission path would validate either
  }
  if (!found || found.images.length === 0) return undefined;
  return {
    apiVersion, kind, namespace, name, uid: str(metadata.uid) ?? '',
    serviceAccountName: found.serviceAccountName, imagePullSecrets: found.imagePullSecrets, images: found.images,
  };
}

export async function listAuditedObjects(cluster: AuditCluster, options: { maxObjects: number; signal: AbortSignal }): Promise<{ objects: AuditedObject[]; problems: AuditProblem[] }> {
  const objects: AuditedObject[] = [];
  const problems: AuditProblem[] = [];
  for (const { apiVersion, kind } of AUDITED_KINDS) {
    try {
      const { items, truncated } = await cluster.list(apiVersion, kind, options.maxObjects, options.signal);
      if (truncated) problems.push({ message: `more than ${options.maxObjects} ${kind} objects: only the first ${options.maxObjects} were audited (audit.maxObjects)` });
      for (const item of items) {
        const metadata = isObject(item.metadata) ? item.metadata : {};
        if (kind !== 'Pod' && controlledByTemplateOwner(metadata)) continue;
        const o = toAuditedObject(apiVersion, kind, item);
        if (o) objects.push(o);
      }
    } catch (err) {
      problems.push({ message: `cannot list ${apiVersion} ${kind}: ${errorMessage(err)}` });
    }
  }
  return { objects, problems };
}
