/**
 * Builds the Portcullis container image without a container engine (docs/image.md): per
 * platform a base layer (the Debian shared libraries node links against, node itself,
 * passwd/group for the non-root user, /tmp), then two layers every platform shares (the
 * production node_modules, then the app: package.json, bin/, dist/). Written as an OCI image
 * layout whose index.json tags one image index, the multi-platform "image" users pull.
 *
 * Reproducible: every input is pinned (scripts/image/inputs.json, package-lock.json, the built
 * dist/), every tar header has the same mtime (SOURCE_DATE_EPOCH, the commit's time by
 * default), owner and normalised mode, entries are sorted, gzip has no timestamp or name, and
 * every JSON document is written the same way: two builds of one commit have one digest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { collectTree, ROOT, withParents } from './collect-tree.js';
import { ImageBuildError } from './image-build-error.js';
import { APP_DIR, CMD, ENTRYPOINT, ENV, EXPOSED_PORTS, IMAGE_USER, NODE_PATH } from './image-config.js';
import {
  debianPackage, nodePackageDir, pinnedArchitectures, productionNodeModules, readImageInputs,
  type Architecture, type ImageInputs, type UnpackedDeb,
} from './image-inputs.js';
import { createLayoutWriter, MEDIA, sha256, type Descriptor, type LayoutWriter } from './oci-layout-writer.js';
import { writeTar, type TarEntry } from './tar-writer.js';

export interface BuildImageOptions {
  /** The project: package.json, package-lock.json, bin/, and dist/ already built (`npm run build`). */
  readonly projectDir: string;
  /** A new (or empty) folder the OCI layout is written into. */
  readonly layoutDir: string;
  /** Default: every architecture scripts/image/inputs.json pins. */
  readonly architectures?: readonly Architecture[];
  /** Seconds since the epoch for every timestamp. Default: $SOURCE_DATE_EPOCH, else the commit time of HEAD. */
  readonly sourceDateEpoch?: number;
  /** The commit recorded in the image's labels. Default: HEAD of projectDir (when it is a git checkout). */
  readonly revision?: string;
  /** Tag in index.json. Default: package.json's version. */
  readonly tag?: string;
  readonly inputsFile?: string;
  readonly log?: (line: string) => void;
}

export interface PlatformImage {
  readonly architecture: Architecture;
  /** The platform's image manifest. */
  readonly manifest: Descriptor;
  /** Uncompressed size of its layers, bytes. */
  readonly unpackedSize: number;
}

export interface BuiltImage {
  readonly layoutDir: string;
  /** Digest of the image index: what a registry serves for the tag, and what gets signed. */
  readonly digest: string;
  readonly tag: string;
  readonly index: Descriptor;
  readonly platforms: readonly PlatformImage[];
  readonly sourceDateEpoch: number;
  readonly revision: string | undefined;
}

export const DEFAULT_INPUTS_FILE = fileURLToPath(new URL('./inputs.json', import.meta.url));

function git(projectDir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', projectDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function resolveEpoch(options: BuildImageOptions): number {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  const raw = options.sourceDateEpoch ?? (fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Number(git(options.projectDir, ['log', '-1', '--format=%ct']) ?? NaN));
  if (!Number.isSafeInteger(raw) || raw < 0) throw new ImageBuildError('BAD_INPUTS', 'no SOURCE_DATE_EPOCH: set it, pass sourceDateEpoch, or build from a git checkout');
  return raw;
}

/** The production tree must be architecture-independent and script-free for one shared layer to be right. */
function checkProductionTree(projectDir: string): void {
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean; hasInstallScript?: boolean; os?: unknown; cpu?: unknown }> };
  for (const [path, p] of Object.entries(lock.packages ?? {})) {
    if (path === '' || p.dev) continue;
    if (p.hasInstallScript || p.os !== undefined || p.cpu !== undefined) {
      throw new ImageBuildError('BAD_INPUTS', `${path} has an install script or is platform-specific: the shared node_modules layer would be wrong (docs/image.md)`);
    }
  }
}

/** The image's node is the one the project pins as its `node` devDependency (package-lock.json). */
function checkNodeVersion(projectDir: string, inputs: ImageInputs): void {
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string }> };
  const pinned = lock.packages?.['node_modules/node']?.version;
  if (pinned !== inputs.node.version) throw new ImageBuildError('BAD_INPUTS', `inputs.json pins node ${inputs.node.version}, package-lock.json has node ${pinned ?? '(none)'}`);
}

const file = (path: string, content: string, mode = 0o644): TarEntry => ({ type: 'file', path, content: Buffer.from(content, 'utf8'), mode, ...ROOT });

/** /etc files of a distroless-style root: the non-root user, name lookups from /etc/hosts first, what the libraries are. */
function systemFiles(inputs: ImageInputs): TarEntry[] {
  const { uid, gid, name } = IMAGE_USER;
  const r = inputs.debian.release;
  return [
    file('etc/passwd', `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:/home/${name}:/sbin/nologin\n`),
    file('etc/group', `root:x:0:\n${name}:x:${gid}:\n`),
    file('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n'),
    // Scanners (syft, grype) read the distribution of the packages in /var/lib/dpkg/status.d here.
    file('etc/os-release', `PRETTY_NAME="Portcullis (Debian ${r.versionId} libraries)"\nNAME="Debian GNU/Linux"\nID=${r.id}\nVERSION_ID="${r.versionId}"\nVERSION_CODENAME=${r.codename}\nHOME_URL="https://www.debian.org/"\n`),
    { type: 'dir', path: 'tmp', mode: 0o1777, ...ROOT },
    { type: 'dir', path: 'root', mode: 0o700, ...ROOT },
    { type: 'dir', path: `home/${name}`, mode: 0o700, uid, gid },
  ];
}

/** What node needs of a Debian package: its shared objects (no gconv, no tools) and its copyright. */
function debEntries(deb: UnpackedDeb): TarEntry[] {
  const keep = (rel: string): boolean =>
    (/^(lib|lib64|usr\/lib)\/([^/]+\/)?[^/]+$/.test(rel) && /\.so(\.|$)/.test(rel.slice(rel.lastIndexOf('/') + 1)))
    || rel === `usr/share/doc/${deb.name}/copyright` || rel === `usr/share/doc/${deb.name}`;
  const entries = collectTree(deb.root, '', keep).filter((e) => e.type !== 'dir' || e.path === `usr/share/doc/${deb.name}`);
  // distroless-style package database: what scanners use to list the packages and their versions.
  entries.push(file(`var/lib/dpkg/status.d/${deb.name}`, `${deb.control.trimEnd()}\n`));
  return entries;
}

async function baseLayerEntries(inputs: ImageInputs, arch: Architecture): Promise<TarEntry[]> {
  const node = await nodePackageDir(inputs, arch);
  const debs: UnpackedDeb[] = [];
  // One at a time: apt locks its lists and cache folders.
  for (const p of inputs.debian.packages) debs.push(await debianPackage(inputs, p.name, arch));
  return withParents([
    ...systemFiles(inputs),
    ...debs.flatMap(debEntries),
    ...collectTree(join(node, 'bin/node'), NODE_PATH.slice(1)),
    ...collectTree(join(node, 'LICENSE'), 'usr/local/share/doc/node/LICENSE'),
  ]);
}

/**
 * node_modules files node never reads: type declarations and source maps (53 of 141 MB here;
 * source maps are only read with --enable-source-maps, which the image does not set).
 */
const keepAtRuntime = (rel: string): boolean => !/\.(d\.[cm]?ts|map)$/.test(rel);

interface Layer { readonly descriptor: Descriptor; readonly diffId: string; readonly size: number }

function layer(out: LayoutWriter, entries: readonly TarEntry[], epoch: number): Layer {
  const tar = writeTar(withParents(entries), epoch);
  // zlib writes a gzip header with mtime 0, no name, OS "unix": the same tar gives the same bytes.
  return { descriptor: out.blob(MEDIA.layerGzip, gzipSync(tar)), diffId: sha256(tar), size: tar.length };
}

const iso = (epoch: number): string => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  const log = options.log ?? (() => {});
  const { projectDir } = options;
  for (const required of ['dist/cli/main.js', 'dist/policy/bundle.tar.gz', 'bin/portcullis.js', 'package.json', 'package-lock.json']) {
    if (!existsSync(join(projectDir, required))) throw new ImageBuildError('MISSING_BUILD', `${join(projectDir, required)} is missing (run npm run build first)`);
  }
  checkProductionTree(projectDir);
  const inputs = readImageInputs(options.inputsFile ?? DEFAULT_INPUTS_FILE);
  const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { version: string };
  checkNodeVersion(projectDir, inputs);
  const architectures = options.architectures ?? pinnedArchitectures(inputs);
  if (architectures.length === 0) throw new ImageBuildError('BAD_INPUTS', 'no architecture to build');
  const epoch = resolveEpoch(options);
  const revision = options.revision ?? git(projectDir, ['rev-parse', 'HEAD']);
  const tag = options.tag ?? pkg.version;
  const created = iso(epoch);
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': 'portcullis',
    'org.opencontainers.image.version': pkg.version,
    'org.opencontainers.image.created': created,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    ...(revision ? { 'org.opencontainers.image.revision': revision } : {}),
  };

  const out = createLayoutWriter(options.layoutDir);
  log('production node_modules (npm ci --omit=dev)');
  const nodeModules = await productionNodeModules(projectDir);
  const shared = [
    layer(out, collectTree(nodeModules, `${APP_DIR.slice(1)}/node_modules`, keepAtRuntime), epoch),
    layer(out, [
      ...collectTree(join(projectDir, 'package.json'), `${APP_DIR.slice(1)}/package.json`),
      ...collectTree(join(projectDir, 'bin'), `${APP_DIR.slice(1)}/bin`),
      ...collectTree(join(projectDir, 'dist'), `${APP_DIR.slice(1)}/dist`),
    ], epoch),
  ];
  const history = [
    { created, created_by: `scripts/build-image.sh: Debian ${inputs.debian.release.codename} shared libraries, node ${inputs.node.version}, /etc/passwd (uid ${IMAGE_USER.uid})` },
    { created, created_by: 'scripts/build-image.sh: npm ci --omit=dev --ignore-scripts (without *.d.ts, *.map)' },
    { created, created_by: 'scripts/build-image.sh: package.json, bin/, dist/' },
  ];

  const platforms: PlatformImage[] = [];
  for (const arch of architectures) {
    log(`base layer ${arch}`);
    const layers = [layer(out, await baseLayerEntries(inputs, arch), epoch), ...shared];
    const platform = { architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}) };
    const config = out.json(MEDIA.config, {
      created,
      ...platform,
      config: {
        User: `${IMAGE_USER.uid}:${IMAGE_USER.gid}`,
        ExposedPorts: Object.fromEntries(EXPOSED_PORTS.map((p) => [p, {}])),
        Env: [...ENV],
        Entrypoint: [...ENTRYPOINT],
        Cmd: [...CMD],
        WorkingDir: APP_DIR,
        Labels: labels,
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history,
    });
    const manifest = out.json(MEDIA.manifest, {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: layers.map((l) => l.descriptor),
      annotations: labels,
    }, { platform });
    platforms.push({ architecture: arch, manifest, unpackedSize: layers.reduce((n, l) => n + l.size, 0) });
  }
  const index = out.json(MEDIA.index, {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: platforms.map((p) => p.manifest),
    annotations: labels,
  });
  out.finish(index, tag);
  return { layoutDir: options.layoutDir, digest: index.digest, tag, index, platforms, sourceDateEpoch: epoch, revision };
}
