/**
 * An in-memory registry behind the ScopedRegistryClient port, for unit tests of the validation
 * pipeline: images by tag, referrers by subject digest, blobs by digest. Operations can be made
 * to hang (until aborted) or fail, and every call is counted.
 */
import { createHash } from 'node:crypto';
import type { Descriptor, FetchedContent, ImageRef, ListedReferrer, Platform, ReferrerSource, RegistryClient, ScopedRegistryClient } from '../../src/oci/types.js';

export type FakeOperation = 'resolve' | 'listReferrers' | 'fetchManifest' | 'fetchBlob';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface FakeReferrerRegistry extends ScopedRegistryClient {
  /** Calls by operation. */
  readonly calls: Record<FakeOperation, number>;
  /** Credential scopes asked for. */
  readonly scopes: unknown[];
  /** Stores a single-platform image; returns its descriptor. */
  addImage(repository: string, tag: string, seed?: string): Descriptor;
  /** Stores a multi-arch index over new platform manifests; returns index and platform descriptors. */
  addIndex(repository: string, tag: string, platforms: readonly Platform[]): { index: Descriptor; manifests: Descriptor[] };
  /**
   * Attaches an artifact (manifest with the given layers) to `subject`; returns its descriptor.
   * `listAnnotations`: what the listing entry says, when it should differ from the manifest.
   * `source`: which discovery path lists it (default the referrers API).
   */
  attach(subject: Descriptor, artifactType: string, layers: readonly (string | Uint8Array)[], options?: {
    listArtifactType?: boolean | string; annotations?: Record<string, string>; listAnnotations?: Record<string, string>;
    claimSubject?: Descriptor | null; source?: ReferrerSource;
  }): Descriptor;
  /** Makes an operation hang until its signal aborts, or fail with `error`. */
  misbehave(op: FakeOperation, how: 'hang' | Error): void;
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

export function createFakeReferrerRegistry(): FakeReferrerRegistry {
  const tags = new Map<string, Descriptor>();
  const manifests = new Map<string, Uint8Array>();
  const blobs = new Map<string, Uint8Array>();
  const referrers = new Map<string, ListedReferrer[]>();
  const calls: Record<FakeOperation, number> = { resolve: 0, listReferrers: 0, fetchManifest: 0, fetchBlob: 0 };
  const faults = new Map<FakeOperation, 'hang' | Error>();
  const scopes: unknown[] = [];

  const putManifest = (json: unknown, mediaType: string): Descriptor => {
    const bytes = Buffer.from(JSON.stringify(json));
    const digest = digestOf(bytes);
    manifests.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const putBlob = (content: string | Uint8Array): Descriptor => {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const digest = digestOf(bytes);
    blobs.set(digest, bytes);
    return { mediaType: 'application/octet-stream', digest, size: bytes.length };
  };
  const image = (seed: string): Descriptor => {
    const config = putBlob(`{"seed":${JSON.stringify(seed)}}`);
    const layer = putBlob(`layer ${seed}`);
    return putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [layer] }, OCI_MANIFEST);
  };
  const gate = async (op: FakeOperation, signal: AbortSignal) => {
    calls[op]++;
    const f = faults.get(op);
    if (f === 'hang') await hang(signal);
    if (f) throw f;
    if (signal.aborted) throw signal.reason;
  };

  const client: RegistryClient = {
    async resolve(ref: ImageRef, signal: AbortSignal) {
      await gate('resolve', signal);
      if (ref.digest) {
        const bytes = manifests.get(ref.digest);
        if (!bytes) throw Object.assign(new Error(`manifest ${ref.digest} not found`), { code: 'NOT_FOUND' });
        const mt = (JSON.parse(Buffer.from(bytes).toString()) as { mediaType: string }).mediaType;
        return { mediaType: mt, digest: ref.digest, size: bytes.length };
      }
      const d = tags.get(`${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`);
      if (!d) throw Object.assign(new Error(`${ref.registry}/${ref.repository}:${ref.tag}: manifest unknown`), { code: 'NOT_FOUND' });
      return d;
    },
    async listReferrers(_ref, subject, signal) {
      await gate('listReferrers', signal);
      return [...(referrers.get(subject.digest) ?? [])];
    },
    async fetchManifest(_ref, descriptor, signal): Promise<FetchedContent> {
      await gate('fetchManifest', signal);
      const bytes = manifests.get(descriptor.digest);
      if (!bytes) throw new Error(`manifest ${descriptor.digest} not found`);
      return { descriptor, bytes };
    },
    async fetchBlob(_ref, descriptor, signal): Promise<FetchedContent> {
      await gate('fetchBlob', signal);
      const bytes = blobs.get(descriptor.digest);
      if (!bytes) throw new Error(`blob ${descriptor.digest} not found`);
      return { descriptor, bytes };
    },
  };

  return {
    ...client,
    calls,
    scopes,
    withCredentialScope(scope) { scopes.push(scope); return client; },
    addImage(repository, tag, seed = `${repository}:${tag}`) {
      const d = image(seed);
      tags.set(`registry.test/${repository}:${tag}`, d);
      return d;
    },
    addIndex(repository, tag, platforms) {
      const ms = platforms.map((p) => ({ ...image(`${repository}:${tag}:${p.os}/${p.architecture}`), platform: p }));
      const attestation = { ...image(`${repository}:${tag}:attestation`), platform: { os: 'unknown', architecture: 'unknown' } };
      const index = putManifest({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...ms, attestation] }, OCI_INDEX);
      tags.set(`registry.test/${repository}:${tag}`, index);
      return { index, manifests: ms };
    },
    attach(subject, artifactType, layers, options = {}) {
      const ls = layers.map((l) => ({ ...putBlob(l), mediaType: 'application/octet-stream' }));
      const empty = putBlob('{}');
      const d = putManifest({
        schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType,
        config: { ...empty, mediaType: 'application/vnd.oci.empty.v1+json' }, layers: ls,
        // claimSubject: the subject the artifact's own manifest names (null: none), when it is
        // listed under another image than the one it was made for.
        ...(options.claimSubject === null ? {} : { subject: { mediaType: (options.claimSubject ?? subject).mediaType, digest: (options.claimSubject ?? subject).digest, size: (options.claimSubject ?? subject).size } }),
        ...(options.annotations ? { annotations: options.annotations } : {}),
      }, OCI_MANIFEST);
      const listAnnotations = options.listAnnotations ?? options.annotations;
      const listed: Descriptor = { ...d, ...(options.listArtifactType === false ? {} : { artifactType: typeof options.listArtifactType === 'string' ? options.listArtifactType : artifactType }), ...(listAnnotations ? { annotations: listAnnotations } : {}) };
      referrers.set(subject.digest, [...(referrers.get(subject.digest) ?? []), { descriptor: listed, source: options.source ?? 'referrers-api' }]);
      return listed;
    },
    misbehave(op, how) { faults.set(op, how); },
  };
}
