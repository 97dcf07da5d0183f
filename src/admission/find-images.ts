/**
 * Where images live in each kind Portcullis covers (SPEC "Objects and images covered"): the
 * pod spec of a Pod and the pod template of the workload kinds, in `containers`,
 * `initContainers`, `ephemeralContainers` and image volumes (`volumes[].image.reference`,
 * https://kubernetes.io/docs/concepts/storage/volumes/#image). Each image comes with its JSON
 * Pointer (RFC 6901) so the mutation can patch it in place.
 */
import { AdmissionError } from './admission-error.js';
import { isObject } from '../shared/is-object.js';
import type { AdmissionRequest } from './types.js';

export const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerField = (typeof CONTAINER_FIELDS)[number];
/** Where in a pod spec an image was found: a container list, or `volumes` (image volumes). */
export type ImageField = ContainerField | 'volumes';

export interface ImageLocation {
  /** JSON Pointer to the image string, e.g. `/spec/template/spec/containers/0/image`, `/spec/volumes/2/image/reference`. */
  readonly path: string;
  readonly image: string;
  readonly field: ImageField;
  /** The container's name, or the volume's name for an image volume. */
  readonly container: string;
}

export interface ObjectImages {
  readonly locations: readonly ImageLocation[];
  /** Unique images in first-seen order. */
  readonly images: readonly string[];
  readonly serviceAccountName: string | undefined;
  readonly imagePullSecrets: readonly string[];
}

/**
 * Path from the object root to the pod spec, per `group/kind` (core group is empty). A Map, not
 * an object literal: the key comes from the request, and must never reach `Object.prototype`.
 */
const POD_SPEC_PATH: ReadonlyMap<string, readonly string[]> = new Map([
  ['/Pod', ['spec']],
  ['/PodTemplate', ['template', 'spec']],
  ['/ReplicationController', ['spec', 'template', 'spec']],
  ['apps/Deployment', ['spec', 'template', 'spec']],
  ['apps/ReplicaSet', ['spec', 'template', 'spec']],
  ['apps/StatefulSet', ['spec', 'template', 'spec']],
  ['apps/DaemonSet', ['spec', 'template', 'spec']],
  ['batch/Job', ['spec', 'template', 'spec']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

const ALL_FIELDS: readonly ImageField[] = [...CONTAINER_FIELDS, 'volumes'];

interface PodSpecLocation {
  readonly path: readonly string[];
  readonly fields: readonly ImageField[];
  /**
   * Fields whose entries the API server never lets an update change (a Pod's ephemeral
   * containers and volumes): an entry already in `oldObject` is neither patched — the API
   * server would refuse the whole request, which is how `kubectl debug` used to fail — nor
   * validated again (it was admitted when it was added, and cannot have changed since).
   */
  readonly immutable: ReadonlySet<ImageField>;
}

const POD_IMMUTABLE: ReadonlySet<ImageField> = new Set<ImageField>(['ephemeralContainers', 'volumes']);
const NONE: ReadonlySet<ImageField> = new Set();

/** Whether Portcullis looks at this kind at all; others are allowed untouched. */
export function coversRequest(request: Pick<AdmissionRequest, 'kind' | 'subResource'>): boolean {
  return podSpecLocation(request) !== undefined;
}

function podSpecLocation(request: Pick<AdmissionRequest, 'kind' | 'subResource'>): PodSpecLocation | undefined {
  const { group, kind } = request.kind;
  // The pods/ephemeralcontainers subresource sends the whole Pod; only the ephemeral
  // containers can change through it. Before Kubernetes 1.22 it sent a separate
  // `EphemeralContainers` object with the list at its root.
  if (request.subResource === 'ephemeralcontainers') {
    if (group === '' && kind === 'Pod') return { path: ['spec'], fields: ['ephemeralContainers'], immutable: POD_IMMUTABLE };
    if (group === '' && kind === 'EphemeralContainers') return { path: [], fields: ['ephemeralContainers'], immutable: POD_IMMUTABLE };
    return undefined;
  }
  if (request.subResource) return undefined; // pods/status, pods/binding, …: images do not change
  const path = POD_SPEC_PATH.get(`${group}/${kind}`);
  if (!path) return undefined;
  return { path, fields: ALL_FIELDS, immutable: group === '' && kind === 'Pod' ? POD_IMMUTABLE : NONE };
}

/**
 * The images of `request.object`; undefined when the kind is not covered or there is no
 * object (DELETE). Throws AdmissionError for malformed containers, volumes and non-string images.
 * On an update, entries of immutable fields that `oldObject` already holds unchanged (same
 * name, same image) are left out: see `PodSpecLocation.immutable`.
 */
export function findImages(request: Pick<AdmissionRequest, 'kind' | 'subResource' | 'object'> & Partial<Pick<AdmissionRequest, 'operation' | 'oldObject'>>): ObjectImages | undefined {
  const where = podSpecLocation(request);
  if (!where || !isObject(request.object)) return undefined;
  const prefix = where.path.map((k) => `/${k}`).join('');
  const spec = walk(request.object, where.path);
  if (spec === undefined || spec === null) return { locations: [], images: [], serviceAccountName: undefined, imagePullSecrets: [] };
  if (!isObject(spec)) throw new AdmissionError('BAD_OBJECT', `${prefix || '/'} is not an object`);
  // Only an UPDATE has a previous state the API server holds us to.
  const oldSpec = request.operation === 'UPDATE' && where.immutable.size > 0 && isObject(request.oldObject) ? walk(request.oldObject, where.path) : undefined;

  const locations: ImageLocation[] = [];
  for (const field of where.fields) {
    const existing = where.immutable.has(field) ? existingEntries(oldSpec, field) : undefined;
    for (const l of fieldImages(spec, field, prefix)) {
      if (!existing?.has(entryKey(l.container, l.image))) locations.push(l);
    }
  }
  const pullSecrets = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
  return {
    locations,
    images: [...new Set(locations.map((l) => l.image))],
    serviceAccountName: typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : undefined,
    imagePullSecrets: pullSecrets.flatMap((s: unknown) => (isObject(s) && typeof s.name === 'string' && s.name ? [s.name] : [])),
  };
}

function walk(root: unknown, path: readonly string[]): unknown {
  let at = root;
  for (const key of path) at = isObject(at) && Object.hasOwn(at, key) ? at[key] : undefined;
  return at;
}

/** The images of one field of a pod spec, with their JSON Pointers. */
function fieldImages(spec: Record<string, unknown>, field: ImageField, prefix: string): ImageLocation[] {
  const list = Object.hasOwn(spec, field) ? spec[field] : undefined;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new AdmissionError('BAD_OBJECT', `${prefix}/${field} is not an array`);
  const out: ImageLocation[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `${prefix}/${field}/${i}`;
    if (!isObject(entry)) throw new AdmissionError('BAD_OBJECT', `${at} is not an object`);
    const name = typeof entry.name === 'string' ? entry.name : '';
    if (field === 'volumes') {
      // Only image volumes carry an image; every other volume type is not ours to read.
      const source = Object.hasOwn(entry, 'image') ? entry.image : undefined;
      if (source === undefined || source === null) return;
      if (!isObject(source)) throw new AdmissionError('BAD_OBJECT', `${at}/image is not an object`);
      const image = imageString(Object.hasOwn(source, 'reference') ? source.reference : undefined, `${at}/image/reference`);
      if (image !== undefined) out.push({ path: `${at}/image/reference`, image, field, container: name });
      return;
    }
    const image = imageString(Object.hasOwn(entry, 'image') ? entry.image : undefined, `${at}/image`);
    if (image !== undefined) out.push({ path: `${at}/image`, image, field, container: name });
  });
  return out;
}

function imageString(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new AdmissionError('BAD_IMAGE', `${at} is not a string`);
  return value;
}

/** `name\0image` of each entry of `field` in the old spec; a malformed old object holds none. */
function existingEntries(oldSpec: unknown, field: ImageField): ReadonlySet<string> {
  if (!isObject(oldSpec)) return new Set();
  try {
    return new Set(fieldImages(oldSpec, field, '').map((l) => entryKey(l.container, l.image)));
  } catch {
    return new Set();
  }
}

const entryKey = (name: string, image: string): string => `${name}\u0000${image}`;
