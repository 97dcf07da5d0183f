/**
 * `scripts/build-image.sh [--out DIR] [--platform amd64,arm64] [--push REF]`: builds the image
 * (scripts/image/build-image.ts) into an OCI layout and, with --push, copies it to a registry
 * with `oras cp --from-oci-layout` (index, manifests and blobs, by digest, tag as given).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage } from './build-image.js';
import { ARCHITECTURES, type Architecture } from './image-inputs.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    platform: { type: 'string' },
    push: { type: 'string' },
    'plain-http': { type: 'boolean', default: false },
  },
});
const architectures = values.platform?.split(',').map((p) => p.trim().replace(/^linux\//, '')) as Architecture[] | undefined;
for (const a of architectures ?? []) {
  if (!ARCHITECTURES.includes(a)) throw new Error(`--platform: ${a} is not one of ${ARCHITECTURES.join(', ')}`);
}
const layoutDir = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'portcullis-image-')));
const started = Date.now();
const image = await buildImage({ projectDir: process.cwd(), layoutDir, architectures, log: (l) => console.error(`build-image: ${l}`) });
console.error(`build-image: ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const p of image.platforms) console.error(`build-image: linux/${p.architecture} ${p.manifest.digest} (${(p.unpackedSize / 1e6).toFixed(1)} MB unpacked)`);
if (values.push) {
  const args = ['cp', '--from-oci-layout', `${layoutDir}:${image.tag}`, values.push, ...(values['plain-http'] ? ['--to-plain-http'] : [])];
  // oras's progress goes to stderr: stdout carries only the JSON result.
  execFileSync('oras', args, { stdio: ['ignore', 2, 2] });
}
console.log(JSON.stringify({ layoutDir, tag: image.tag, digest: image.digest, platforms: image.platforms.map((p) => ({ architecture: p.architecture, digest: p.manifest.digest })) }));
