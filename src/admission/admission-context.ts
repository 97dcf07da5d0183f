import type { AdmissionContext } from './ports.js';
import type { ObjectImages } from './find-images.js';
import type { AdmissionRequest } from './types.js';
import { registerDeadline } from '../oci/deadline.js';

/**
 * The AdmissionContext the ports get for one request. The deadline is registered with the
 * signal here, once, so every port (pinner and validator alike) gets the registry client's
 * fail-fast on a `Retry-After` past the deadline rather than sleeping until the abort.
 */
export function admissionContext(request: AdmissionRequest, found: ObjectImages | undefined, signal: AbortSignal, deadline: number): AdmissionContext {
  registerDeadline(signal, deadline);
  return {
    signal,
    deadline,
    request: {
      uid: request.uid,
      operation: request.operation,
      namespace: request.namespace,
      kind: { ...request.kind },
      name: request.name || objectName(request.object),
      userInfo: { username: request.userInfo.username, groups: [...request.userInfo.groups] },
      dryRun: request.dryRun,
    },
    pod: { serviceAccountName: found?.serviceAccountName, imagePullSecrets: found?.imagePullSecrets ?? [] },
  };
}

/** CREATE requests often carry only `metadata.generateName`; the name is then empty. */
function objectName(object: unknown): string {
  const md = (object as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  if (typeof md?.name === 'string') return md.name;
  if (typeof md?.generateName === 'string') return md.generateName;
  return '';
}
