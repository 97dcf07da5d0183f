/**
 * Reads an OCI image layout from disk (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md):
 * index.json → manifests → referrers (manifests whose `subject` is a given digest) → blobs.
 * Test helper: trusts the files it is pointed at, but still checks every blob's digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Descriptor, FetchedContent } from '../../src/oci/types.js';
import type { ReferrerArtifact, Subject } from '../../src/verifiers/verifier.js';

export interface OciLayout {
  readonly dir: string;
  /** Descriptors listed in index.json. */
  readonly index: readonly Descriptor[];
  readBlob(descriptor: Pick<Descriptor, 'digest'>): Buffer;
  /** Every manifest reachable from index.json (nested indexes included). */
  manifests(): FetchedContent[];
  /** The manifest tagged `tag` (annotation org.opencontainers.image.ref.name). */
  tagged(tag: string): Descriptor;
  /** Referrers of `digest` with their manifest and layer blobs, as the pipeline would hand them over. */
  referrers(digest: string): ReferrerArtifact[];
  /** A Subject for a manifest of this layout, as if pushed to `registry/repository`. */
  subject(descriptor: Descriptor, registry: string, repository: string): Subject;
}

export function readOciLayout(dir: string): OciLayout {
  const index = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }).manifests;
  const readBlob = (d: Pick<Descriptor, 'digest'>): Buffer => {
    const [alg, hex] = d.digest.split(':');
    if (alg !== 'sha256' || !hex || !/^[a-f0-9]{64}$/.test(hex)) throw new Error(`unsupported digest ${d.digest}`);
    const bytes = readFileSync(join(dir, 'blobs', alg, hex));
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== hex) throw new Error(`blob ${d.digest} does not match its digest (${got})`);
    return bytes;
  };
  const manifests = (): FetchedContent[] => {
    const out = new Map<string, FetchedContent>();
    const queue = [...index];
    while (queue.length > 0 && out.size < 1000) {
      const d = queue.shift() as Descriptor;
      if (out.has(d.digest)) continue;
      const bytes = readBlob(d);
      out.set(d.digest, { descriptor: d, bytes });
      if (d.mediaType === 'application/vnd.oci.image.index.v1+json') queue.push(...(JSON.parse(bytes.toString('utf8')) as { manifests: Descriptor[] }).manifests);
    }
    return [...out.values()];
  };
  return {
    dir,
    index,
    readBlob,
    manifests,
    tagged(tag) {
      const d = index.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
      if (!d) throw new Error(`no manifest tagged ${tag} in ${dir}`);
      return d;
    },
    referrers(digest) {
      return manifests()
        .filter((m) => m.descriptor.mediaType === 'application/vnd.oci.image.manifest.v1+json')
        .flatMap((m) => {
          const doc = JSON.parse(Buffer.from(m.bytes).toString('utf8')) as { subject?: Descriptor; artifactType?: string; config?: Descriptor; layers?: Descriptor[]; annotations?: Record<string, string> };
          if (doc.subject?.digest !== digest) return [];
          const descriptor: Descriptor = {
            mediaType: m.descriptor.mediaType,
            digest: m.descriptor.digest,
            size: m.descriptor.size,
            artifactType: doc.artifactType ?? doc.config?.mediaType,
            annotations: doc.annotations ?? {},
          };
          return [{ descriptor, manifest: { descriptor, bytes: m.bytes }, blobs: (doc.layers ?? []).map((l) => ({ descriptor: l, bytes: readBlob(l) })) }];
        });
    },
    subject(d, registry, repository) {
      return { reference: `${registry}/${repository}@${d.digest}`, registry, repository, digest: d.digest, mediaType: d.mediaType, size: d.size };
    },
  };
}
