/**
 * Builds the real Portcullis image (scripts/image/build-image.ts, what scripts/build-image.sh
 * runs) from this checkout into a fresh OCI layout under the test's TMPDIR. Needs dist/
 * (`npm run build`); the pinned inputs come from the cache (~/.cache/portcullis/image), so a
 * warm build takes seconds. For tests that run, sign, scan or push the image.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, type BuildImageOptions, type BuiltImage } from '../../scripts/image/build-image.js';
import { PROJECT_ROOT } from './tools.js';

export interface PortcullisImage extends BuiltImage {
  /** `<layoutDir>:<tag>`, the source `oras cp --from-oci-layout` takes. */
  readonly orasRef: string;
  /** Removes the layout. */
  cleanup(): void;
}

export async function buildPortcullisImage(options: Partial<Omit<BuildImageOptions, 'layoutDir'>> = {}): Promise<PortcullisImage> {
  const parent = mkdtempSync(join(tmpdir(), 'portcullis-image-'));
  const layoutDir = join(parent, 'layout');
  try {
    const image = await buildImage({ projectDir: PROJECT_ROOT, ...options, layoutDir });
    return { ...image, orasRef: `${layoutDir}:${image.tag}`, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}
