/**
 * Issue 17, "Proven by": two builds of the image (linux/amd64 + linux/arm64) give the same
 * digest. The second build reads a copy of the checkout whose files have other timestamps and
 * modes (as another clone, umask or CI runner would), so what is proven is that nothing of the
 * host reaches the digest. The image is then copied to a real registry with
 * `oras cp --from-oci-layout`, which must serve it under the same digest, and its arm64 root
 * filesystem runs the image's node and CLI under qemu-aarch64 (the amd64 one runs under crun
 * in test/e2e/image-runtime.test.ts). Needs dist/ (`npm run build`).
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_INPUTS_FILE } from '../../../scripts/image/build-image.js';
import { IMAGE_USER } from '../../../scripts/image/image-config.js';
import { readImageInputs } from '../../../scripts/image/image-inputs.js';
import { buildPortcullisImage, type PortcullisImage } from '../../helpers/build-portcullis-image.js';
import { createRuntimeBundle } from '../../helpers/oci-runtime.js';
import { readOciLayout } from '../../helpers/oci-layout.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

const run = promisify(execFile);
const EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z
const REVISION = '0123456789abcdef0123456789abcdef01234567';

/** Every file and folder under `dir`. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? [p, ...walk(p)] : d.isSymbolicLink() ? [] : [p];
  });
}

describe('the image build', () => {
  let first: PortcullisImage;
  let second: PortcullisImage;
  let copy: string;
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry('distribution');
    first = await buildPortcullisImage({ sourceDateEpoch: EPOCH, revision: REVISION });
    // Another "checkout": same content, other file times and permission bits.
    copy = mkdtempSync(join(tmpdir(), 'portcullis-checkout-'));
    for (const p of ['package.json', 'package-lock.json', 'bin', 'dist']) cpSync(join(PROJECT_ROOT, p), join(copy, p), { recursive: true });
    for (const [i, p] of walk(copy).entries()) {
      utimesSync(p, 1_000_000 + i, 2_000_000 + i);
      const mode = statSync(p).mode;
      chmodSync(p, statSync(p).isDirectory() ? 0o775 : (mode & 0o111 ? 0o775 : 0o664));
    }
    second = await buildPortcullisImage({ projectDir: copy, sourceDateEpoch: EPOCH, revision: REVISION });
  }, 480_000);

  afterAll(async () => {
    first?.cleanup();
    second?.cleanup();
    if (copy) rmSync(copy, { recursive: true, force: true });
    await registry?.stop();
  });

  it('gives the same digest twice, from checkouts with other file times and modes', () => {
    expect(first.platforms.map((p) => p.architecture)).toEqual(['amd64', 'arm64']);
    expect(second.digest).toBe(first.digest);
    expect(second.platforms.map((p) => p.manifest.digest)).toEqual(first.platforms.map((p) => p.manifest.digest));
  });

  it('writes a valid layout: the tag in index.json names the index, every blob matches its digest', () => {
    const layout = readOciLayout(first.layoutDir);
    expect(layout.tagged(first.tag).digest).toBe(first.digest);
    const manifests = layout.manifests();
    expect(manifests.map((m) => m.descriptor.digest)).toEqual([first.digest, ...first.platforms.map((p) => p.manifest.digest)]);
    const manifest = JSON.parse((manifests[1]?.bytes as Buffer).toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    for (const layer of manifest.layers) expect(layout.readBlob(layer).length).toBeGreaterThan(0);
    const config = JSON.parse(layout.readBlob(manifest.config).toString('utf8')) as { created: string; architecture: string; config: { User: string; Labels: Record<string, string> }; rootfs: { diff_ids: string[] } };
    expect(config).toMatchObject({ created: '2026-01-01T00:00:00Z', architecture: 'amd64', config: { User: `${IMAGE_USER.uid}:${IMAGE_USER.gid}` } });
    expect(config.config.Labels['org.opencontainers.image.revision']).toBe(REVISION);
    expect(config.rootfs.diff_ids).toHaveLength(manifest.layers.length);
  });

  it('stamps every layer entry with SOURCE_DATE_EPOCH and root ownership (GNU tar reads the app layer)', async () => {
    const layout = readOciLayout(first.layoutDir);
    const manifest = JSON.parse(layout.readBlob({ digest: first.platforms[0]?.manifest.digest ?? '' }).toString('utf8')) as { layers: { digest: string }[] };
    const appLayer = join(copy, 'app-layer.tar.gz');
    writeFileSync(appLayer, layout.readBlob(manifest.layers.at(-1) as { digest: string }));
    const { stdout } = await run('tar', ['--numeric-owner', '--full-time', '-tzvf', appLayer], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 16 * 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.filter((l) => !/ 0\/0 .* 2026-01-01 00:00:00 app\//.test(l))).toEqual([]);
    expect(lines.some((l) => l.endsWith(' app/dist/cli/main.js'))).toBe(true);
  });

  it('runs on arm64: the image\'s node and the Portcullis CLI start under qemu-aarch64 with only the image\'s files', async () => {
    const bundle = createRuntimeBundle(first.layoutDir, { architecture: 'arm64' });
    try {
      // -L: the aarch64 loader and libraries come from the image (this amd64 host has none).
      const qemu = (args: string[]) => run(toolPath('qemu-aarch64-static'), ['-L', bundle.rootfs, join(bundle.rootfs, 'usr/local/bin/node'), ...args], { timeout: 240_000 });
      const probe = await qemu(['-p', 'JSON.stringify([process.arch, process.version, require("node:crypto").createHash("sha256").update("x").digest("hex").length])']);
      expect(JSON.parse(probe.stdout)).toEqual(['arm64', `v${readImageInputs(DEFAULT_INPUTS_FILE).node.version}`, 64]);
      const help = await qemu([join(bundle.rootfs, 'app/bin/portcullis.js'), '--help']);
      expect(help.stdout).toContain('Kubernetes admission webhook that lets only verified container images in');
      expect(help.stdout).toContain('serve [options]');
    } finally {
      bundle.cleanup();
    }
  }, 300_000);

  it('is pushed to a real registry with oras cp --from-oci-layout and served there under the same digest', async () => {
    const ref = `${registry.host}/portcullis/portcullis:${first.tag}`;
    await run(toolPath('oras'), ['cp', '--from-oci-layout', first.orasRef, ref, '--to-plain-http'], { maxBuffer: 16 * 1024 * 1024 });
    const res = await fetch(`${registry.url}/v2/portcullis/portcullis/manifests/${first.tag}`, {
      method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json' },
    });
    expect([res.status, res.headers.get('docker-content-digest')]).toEqual([200, first.digest]);
  });
});
