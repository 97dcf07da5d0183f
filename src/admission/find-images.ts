/**
 * Where images live in each kind Portcullis covers (SPEC "Objects and images covered"): the
 * pod spec of a Pod and the pod template of the workload kinds, in `containers`,
 * `initContainers` and `ephemeralContainers`. Each image comes with its JSON Pointer
 * (RFC 6901) so the mutation can patch it in place.
 */
import { AdmissionError } from './admission-error.js';
import { isObject } from '../shared/is-object.js';
import type { AdmissionRequest } from './types.js';

export const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerField = (typeof CONTAINER_FIELDS)[number];

export interface ImageLocation {
  /** JSON Pointer to the `image` field, e.g. `/spec/template/spec/containers/0/image`. */
  readonly path: string;
  readonly image: string;
  readonly field: ContainerField;
  readonly container: string;
}

export interface ObjectImages {
  readonly locations: readonly ImageLocation[];
  /** Unique images in first-seen order. */
  readonly images: readonly string[];
  readonly serviceAccountName: string | undefined;
  readonly imagePullSecrets: readonly string[];
}

/** Path from the object root to the pod spec, per `group/kind` (core group is empty). */
const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  '/Pod': ['spec'],
  '/PodTemplate': ['template', 'spec'],
  '/ReplicationController': ['spec', 'template', 'spec'],
  'apps/Deployment': ['spec', 'template', 'spec'],
  'apps/ReplicaSet': ['spec', 'template', 'spec'],
  'apps/StatefulSet': ['spec', 'template', 'spec'],
  'apps/DaemonSet': ['spec', 'template', 'spec'],
  'batch/Job': ['spec', 'template', 'spec'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** Whether Portcullis looks at this kind at all; others are allowed untouched. */
export function coversRequest(request: Pick<AdmissionRequest, 'kind' | 'subResource'>): boolean {
  return podSpecLocation(request) !== undefined;
}

function podSpecLocation(request: Pick<AdmissionRequest, 'kind' | 'subResource'>): { path: readonly string[]; fields: readonly ContainerField[] } | undefined {
  const { group, kind } = request.kind;
  // The pods/ephemeralcontainers subresource sends the whole Pod; only the ephemeral
  // containers can change through it. Before Kubernetes 1.22 it sent a separate
  // `EphemeralContainers` object with the list at its root.
  if (request.subResource === 'ephemeralcontainers') {
    if (group === '' && kind === 'Pod') return { path: ['spec'], fields: ['ephemeralContainers'] };
    if (group === '' && kind === 'EphemeralContainers') return { path: [], fields: ['ephemeralContainers'] };
    return undefined;
  }
  if (request.subResource) return undefined; // pods/status, pods/binding, …: images do not change
  const path = POD_SPEC_PATH[`${group}/${kind}`];
  return path ? { path, fields: CONTAINER_FIELDS } : undefined;
}

/**
 * The images of `request.object`; undefined when the kind is not covered or there is no
 * object (DELETE). Throws AdmissionError for malformed containers and non-string images.
 */
export function findImages(request: Pick<AdmissionRequest, 'kind' | 'subResource' | 'object'>): ObjectImages | undefined {
  const where = podSpecLocation(request);
  if (!where || !isObject(request.object)) return undefined;
  let spec: unknown = request.object;
  for (const key of where.path) {
    spec = isObject(spec) ? spec[key] : undefined;
  }
  const prefix = where.path.map((k) => `/${k}`).join('');
  if (spec === undefined || spec === null) return { locations: [], images: [], serviceAccountName: undefined, imagePullSecrets: [] };
  if (!isObject(spec)) throw new AdmissionError('BAD_OBJECT', `${prefix || '/'} is not an object`);

  const locations: ImageLocation[] = [];
  for (const field of where.fields) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new AdmissionError('BAD_OBJECT', `${prefix}/${field} is not an array`);
    list.forEach((c: unknown, i) => {
      const at = `${prefix}/${field}/${i}`;
      if (!isObject(c)) throw new AdmissionError('BAD_OBJECT', `${at} is not an object`);
      const image = c.image;
      if (image === undefined || image === null || image === '') return;
      if (typeof image !== 'string') throw new AdmissionError('BAD_IMAGE', `${at}/image is not a string`);
      locations.push({ path: `${at}/image`, image, field, container: typeof c.name === 'string' ? c.name : '' });
    });
  }
  const pullSecrets = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
  return {
    locations,
    images: [...new Set(locations.map((l) => l.image))],
    serviceAccountName: typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : undefined,
    imagePullSecrets: pullSecrets.flatMap((s: unknown) => (isObject(s) && typeof s.name === 'string' && s.name ? [s.name] : [])),
  };
}
