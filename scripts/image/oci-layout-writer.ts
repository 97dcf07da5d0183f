/**
 * Writes an OCI image layout (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md):
 * `oci-layout`, content-addressed `blobs/sha256/<hex>`, and `index.json` naming the image by tag.
 * JSON documents are written compactly with keys in the order the caller builds them, so the
 * same content always has the same digest.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError } from './image-build-error.js';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly architecture: string; readonly os: string; readonly variant?: string };
  readonly annotations?: Record<string, string>;
}

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface LayoutWriter {
  readonly dir: string;
  blob(mediaType: string, bytes: Buffer, extra?: Pick<Descriptor, 'platform' | 'annotations'>): Descriptor;
  json(mediaType: string, document: unknown, extra?: Pick<Descriptor, 'platform' | 'annotations'>): Descriptor;
  /** Writes index.json with `image` tagged `tag` (org.opencontainers.image.ref.name). */
  finish(image: Descriptor, tag: string): void;
}

export function createLayoutWriter(dir: string): LayoutWriter {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new ImageBuildError('BAD_LAYOUT', `${dir} is not empty: an image layout is written into a new folder`);
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const blob: LayoutWriter['blob'] = (mediaType, bytes, extra = {}) => {
    const digest = sha256(bytes);
    const file = join(blobs, digest.slice('sha256:'.length));
    if (!existsSync(file)) writeFileSync(file, bytes, { mode: 0o644 });
    return { mediaType, digest, size: bytes.length, ...extra };
  };
  return {
    dir,
    blob,
    json: (mediaType, document, extra) => blob(mediaType, Buffer.from(JSON.stringify(document), 'utf8'), extra),
    finish(image, tag) {
      writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      const tagged = { ...image, annotations: { ...image.annotations, 'org.opencontainers.image.ref.name': tag } };
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [tagged] }));
    },
  };
}
