/**
 * The pinned inputs of the image (scripts/image/inputs.json): the node binary from the npm
 * package the `node` devDependency installs, and the Debian packages of the shared libraries it
 * links against. Each is fetched once per version into the cache (outside the clone), checked
 * against its pinned digest before use, and unpacked there; later builds only read the cache.
 *
 * Why these sources (docs/image.md): npm is already how the project pins node, and its
 * integrity is a digest of the exact tarball; Debian's packages are what node's own Linux
 * builds are made for (glibc ≥ 2.28, libstdc++), are versioned, signed through apt's index and
 * archived for ever on snapshot.debian.org, and `dpkg-deb -x` unpacks them without running
 * any maintainer script.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ImageBuildError } from './image-build-error.js';

const run = promisify(execFile);

/** OCI / Debian architecture names of the platforms the image can be built for. */
export const ARCHITECTURES = ['amd64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

const architecture = z.enum(ARCHITECTURES);
const inputsSchema = z.object({
  node: z.object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    packages: z.partialRecord(architecture, z.object({ name: z.string().regex(/^node-linux-[a-z0-9]+$/), integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/) })),
  }),
  debian: z.object({
    release: z.object({ id: z.string(), versionId: z.string(), codename: z.string().regex(/^[a-z]+$/) }),
    packages: z.array(z.object({
      name: z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/),
      version: z.string().regex(/^[A-Za-z0-9.+~:-]+$/),
      sha256: z.partialRecord(architecture, z.string().regex(/^[a-f0-9]{64}$/)),
    })).min(1),
  }),
});
export type ImageInputs = z.infer<typeof inputsSchema>;

export function readImageInputs(file: string): ImageInputs {
  const parsed = inputsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new ImageBuildError('BAD_INPUTS', `${file}: ${parsed.error.message}`);
  return parsed.data;
}

/** Architectures every input is pinned for. */
export function pinnedArchitectures(inputs: ImageInputs): Architecture[] {
  return ARCHITECTURES.filter((a) => inputs.node.packages[a] !== undefined && inputs.debian.packages.every((p) => p.sha256[a] !== undefined));
}

export function cacheRoot(): string {
  return join(process.env.PORTCULLIS_CACHE ?? join(process.env.HOME ?? homedir(), '.cache/portcullis'), 'image');
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9.+-]/g, '_');

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Runs `fn(tmp)` in a fresh folder beside `dest` and renames it to `dest` when it succeeds (a crash leaves no half-filled cache entry). */
async function fillOnce(dest: string, fn: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(dest)) return dest;
  mkdirSync(join(dest, '..'), { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  try {
    await fn(tmp);
    try { renameSync(tmp, dest); } catch (err) { if (!existsSync(dest)) throw err; }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dest;
}

async function command(cmd: string, args: readonly string[], cwd?: string): Promise<string> {
  try {
    return (await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new ImageBuildError('COMMAND_FAILED', `${cmd} ${args.join(' ')}: ${(e.stderr ?? e.message).trim().slice(-2_000)}`, { cause: err });
  }
}

/** The unpacked npm package `node-linux-<arch>` (bin/node, LICENSE), checked against its pinned integrity. */
export async function nodePackageDir(inputs: ImageInputs, arch: Architecture): Promise<string> {
  const pkg = inputs.node.packages[arch];
  if (!pkg) throw new ImageBuildError('BAD_INPUTS', `no node package pinned for ${arch}`);
  const spec = `${pkg.name}@${inputs.node.version}`;
  return fillOnce(join(cacheRoot(), `node/${safe(spec)}`), async (tmp) => {
    // `npm pack` is npm's own client for "this exact version's tarball" (it uses npm's cache).
    await command('npm', ['pack', spec, '--pack-destination', tmp, '--silent', '--no-fund', '--no-audit'], tmp);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new ImageBuildError('INPUT_UNAVAILABLE', `npm pack ${spec} wrote no tarball`);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(tmp, tgz))).digest('base64')}`;
    if (integrity !== pkg.integrity) throw new ImageBuildError('INPUT_DIGEST_MISMATCH', `${spec}: integrity ${integrity}, pinned ${pkg.integrity}`);
    await command('tar', ['-xzf', join(tmp, tgz), '-C', tmp, '--no-same-owner', 'package/bin/node', 'package/LICENSE']);
    renameSync(join(tmp, 'package'), join(tmp, 'unpacked'));
    rmSync(join(tmp, tgz));
  }).then((dir) => join(dir, 'unpacked'));
}

/** apt options giving a private state for `arch` (never the host's own lists or dpkg architectures). */
function aptOptions(arch: Architecture): string[] {
  const host = process.arch === 'x64' ? 'amd64' : process.arch;
  if (arch === host) return [];
  const state = join(cacheRoot(), `apt-${arch}`);
  return [
    '-o', `APT::Architecture=${arch}`, '-o', `APT::Architectures=${arch}`,
    '-o', `Dir::State::Lists=${join(state, 'lists')}`, '-o', `Dir::Cache=${join(state, 'cache')}`,
    '-o', 'Dir::State::status=/dev/null', '-o', 'Acquire::Languages=none',
    // The cache is under root's home, which apt's _apt user cannot enter; say so instead of a warning.
    '-o', 'APT::Sandbox::User=root',
  ];
}

/** A foreign architecture's package lists, in the cache; `refresh` re-reads them (a pin newer than the lists). */
async function ensureForeignLists(arch: Architecture, refresh = false): Promise<void> {
  const options = aptOptions(arch);
  if (options.length === 0) return;
  const lists = join(cacheRoot(), `apt-${arch}/lists`);
  if (!refresh && existsSync(join(lists, '.complete'))) return;
  mkdirSync(join(lists, 'partial'), { recursive: true });
  mkdirSync(join(cacheRoot(), `apt-${arch}/cache/archives/partial`), { recursive: true });
  // Two builds at once (parallel test files) share these lists: apt locks them, so the second waits.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await command('apt-get', [...options, '-qq', 'update']);
      break;
    } catch (err) {
      if (attempt >= 60 || !/Could not get lock|Unable to lock/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 2_000));
      if (!refresh && existsSync(join(lists, '.complete'))) return;
    }
  }
  writeFileSync(join(lists, '.complete'), '');
}

export interface UnpackedDeb {
  readonly name: string;
  readonly version: string;
  readonly arch: Architecture;
  /** `dpkg-deb -x` of the package. */
  readonly root: string;
  /** The package's control fields (`dpkg-deb -f`), for /var/lib/dpkg/status.d. */
  readonly control: string;
}

/** Downloads `name=version` for `arch` with apt (signed index), checks the pinned SHA-256, unpacks it without running its scripts. */
export async function debianPackage(inputs: ImageInputs, name: string, arch: Architecture): Promise<UnpackedDeb> {
  const pin = inputs.debian.packages.find((p) => p.name === name);
  const sha256 = pin?.sha256[arch];
  if (!pin || !sha256) throw new ImageBuildError('BAD_INPUTS', `no Debian package ${name} pinned for ${arch}`);
  const dir = await fillOnce(join(cacheRoot(), `debs/${safe(`${name}_${pin.version}_${arch}`)}`), async (tmp) => {
    chmodSync(tmp, 0o755); // apt's unprivileged _apt user downloads into it
    await ensureForeignLists(arch);
    const download = () => command('apt-get', [...aptOptions(arch), '-qq', 'download', `${name}:${arch}=${pin.version}`], tmp);
    await download().catch(async () => { await ensureForeignLists(arch, true); await download(); });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new ImageBuildError('INPUT_UNAVAILABLE', `apt-get download ${name}=${pin.version} (${arch}) wrote no .deb`);
    const got = sha256File(join(tmp, deb));
    if (got !== sha256) throw new ImageBuildError('INPUT_DIGEST_MISMATCH', `${deb}: sha256 ${got}, pinned ${sha256}`);
    writeFileSync(join(tmp, 'control'), await command('dpkg-deb', ['-f', join(tmp, deb)]));
    await command('dpkg-deb', ['-x', join(tmp, deb), join(tmp, 'root')]);
    rmSync(join(tmp, deb));
  });
  return { name, version: pin.version, arch, root: join(dir, 'root'), control: readFileSync(join(dir, 'control'), 'utf8') };
}

/**
 * Production dependencies only: `npm ci --omit=dev --ignore-scripts` of the project's
 * package.json + package-lock.json in a staging folder, cached by the digest of both files and
 * the npm version. No package of the production tree has an install script or a native part
 * (checked by the build), so the tree is the same for every architecture.
 */
export async function productionNodeModules(projectDir: string): Promise<string> {
  const pkg = readFileSync(join(projectDir, 'package.json'));
  const lock = readFileSync(join(projectDir, 'package-lock.json'));
  const npmVersion = (await command('npm', ['--version'])).trim();
  const key = createHash('sha256').update(pkg).update('\0').update(lock).update('\0').update(npmVersion).digest('hex').slice(0, 32);
  const dir = await fillOnce(join(cacheRoot(), `node_modules/${key}`), async (tmp) => {
    writeFileSync(join(tmp, 'package.json'), pkg);
    writeFileSync(join(tmp, 'package-lock.json'), lock);
    await command('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], tmp);
  });
  return join(dir, 'node_modules');
}
