/**
 * Runs an image from an OCI layout under a real OCI runtime, `crun` (Debian's, installed by
 * scripts/install-tools.sh), as a kubelet + CRI-O would: the platform's layers unpacked into
 * a bundle `rootfs/` (by GNU tar, an implementation independent of our writer), and a
 * `config.json` (https://github.com/opencontainers/runtime-spec/blob/v1.2.0/config.md) made
 * from the image config: the image's user, entry point, command, env and working directory; a
 * read-only root; tmpfs /tmp; no capabilities, noNewPrivileges; new
 * pid/ipc/uts/mount namespaces but the host's network namespace, so the process listens on
 * loopback where the tests' API server and registries are; host folders bind-mounted read-only
 * where the Deployment mounts its volumes. Needs root (the tests run as root here).
 *
 * No cgroup of its own: this machine mixes cgroup v1 controllers with a v2 hierarchy at
 * /sys/fs/cgroup/unified that has a controller (hugetlb), a "hybrid" layout crun 1.8 refuses
 * outright, even with `--cgroup-manager=disabled`. So every crun call runs in a private mount
 * namespace (`unshare --mount`) where that v2 mount is unmounted — crun then sees plain v1 —
 * with the cgroup manager disabled: the container stays in the test's own cgroup and no
 * cgroup of the host is created or changed. The spec therefore sets no resources (no memory
 * limit is proven here; the Deployment's limits are the kubelet's job).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readOciLayout } from './oci-layout.js';

const run = promisify(execFile);

export interface BundleMount {
  /** Host path (file or folder). */
  readonly source: string;
  /** Path inside the container. */
  readonly destination: string;
  /** Default true. */
  readonly readOnly?: boolean;
}

export interface RuntimeBundleOptions {
  /** Which platform of the image index to unpack (default amd64, this machine). */
  readonly architecture?: string;
  readonly mounts?: readonly BundleMount[];
  /** Added to the image's Env (and HOME, as a container runtime sets from /etc/passwd). */
  readonly env?: Readonly<Record<string, string>>;
  /** Replaces the image's Cmd (the Entrypoint stays). */
  readonly cmd?: readonly string[];
}

export interface ImageConfig {
  readonly User?: string;
  readonly Env?: readonly string[];
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly WorkingDir?: string;
}

export interface RuntimeBundle {
  readonly dir: string;
  readonly rootfs: string;
  readonly spec: Record<string, unknown>;
  /** The image config the bundle was made from. */
  readonly imageConfig: ImageConfig;
  cleanup(): void;
}

interface Manifest { layers: { mediaType: string; digest: string }[]; config: { digest: string } }
interface Index { manifests: { digest: string; mediaType: string; platform?: { architecture: string; os: string } }[] }

/** `uid:gid` of the image config (numeric only: there is no passwd lookup in a runtime spec). */
function imageUser(user: string | undefined): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  if (!m) throw new Error(`image User ${JSON.stringify(user)} is not numeric uid[:gid]: a non-root image should say which uid it runs as`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

/** The runtime spec for `image` (pure: unit-testable, and what the e2e runs). */
export function runtimeSpec(image: ImageConfig, options: RuntimeBundleOptions & { hostsFile: string }): Record<string, unknown> {
  const user = imageUser(image.User);
  const args = [...(image.Entrypoint ?? []), ...(options.cmd ?? image.Cmd ?? [])];
  if (args.length === 0) throw new Error('the image has neither Entrypoint nor Cmd');
  const env = [...(image.Env ?? []), 'HOME=/home/nonroot', ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  const noCaps = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, additionalGids: [] },
      args,
      env,
      cwd: image.WorkingDir || '/',
      capabilities: noCaps,
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'portcullis',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      // The Deployment's `tmp` emptyDir (sizeLimit 64Mi): the only writable path.
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'] },
      // What the kubelet mounts into every container.
      { destination: '/etc/hosts', type: 'bind', source: options.hostsFile, options: ['rbind', 'ro'] },
      ...(options.mounts ?? []).map((m) => ({ destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.readOnly === false ? 'rw' : 'ro', 'nosuid', 'nodev'] })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
      readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Unpacks the platform's layers (digests checked) into a new bundle and writes its config.json. */
export function createRuntimeBundle(layoutDir: string, options: RuntimeBundleOptions = {}): RuntimeBundle {
  const arch = options.architecture ?? 'amd64';
  const layout = readOciLayout(layoutDir);
  let top = layout.index[0];
  if (!top) throw new Error(`${layoutDir}: index.json lists nothing`);
  if (top.mediaType === 'application/vnd.oci.image.index.v1+json') {
    const index = JSON.parse(layout.readBlob(top).toString('utf8')) as Index;
    const found = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
    if (!found) throw new Error(`${layoutDir}: no linux/${arch} image in the index`);
    top = { ...found, size: 0 };
  }
  const manifest = JSON.parse(layout.readBlob(top).toString('utf8')) as Manifest;
  const imageConfig = (JSON.parse(layout.readBlob(manifest.config).toString('utf8')) as { config: ImageConfig }).config;

  const dir = mkdtempSync(join(tmpdir(), 'portcullis-oci-bundle-'));
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  try {
    for (const layer of manifest.layers) {
      if (layer.mediaType !== 'application/vnd.oci.image.layer.v1.tar+gzip') throw new Error(`layer ${layer.digest}: media type ${layer.mediaType} not handled`);
      const bytes = layout.readBlob(layer);
      const names = execFileSync('tar', ['-xvzf', '-', '-C', rootfs, '--numeric-owner', '--same-owner', '--same-permissions'], { input: bytes, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }).split('\n');
      // Whiteouts would need the overlay rules (image-spec layer.md); this image has none.
      if (names.some((n) => n.split('/').pop()?.startsWith('.wh.'))) throw new Error(`layer ${layer.digest} has whiteouts: not handled here`);
    }
    const hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n', { mode: 0o644 });
    const spec = runtimeSpec(imageConfig, { ...options, hostsFile });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
    return { dir, rootfs, spec, imageConfig, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface RunningContainer {
  readonly id: string;
  /** The container's init process, as the host sees it. */
  pid(): Promise<number>;
  /** What the container wrote to stdout and stderr (the last 256 KiB). */
  logs(): string;
  /** Runs `args` in the container as `user` (default: the image's user). */
  exec(args: readonly string[], user?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Whether the container's process has exited (and how). */
  exited(): { code: number | null; signal: string | null } | undefined;
  /** SIGTERM, then SIGKILL after 10 s; deletes the container and the bundle. */
  stop(): Promise<void>;
}

/** Absolute path of crun (scripts/install-tools.sh installs Debian's). */
export function crunPath(): string {
  for (const p of ['/usr/bin/crun', '/usr/local/bin/crun']) if (existsSync(p)) return p;
  throw new Error('crun is not installed: run scripts/install-tools.sh (Debian package crun)');
}

/** In the private mount namespace: hide a hybrid layout's cgroup v2 mount from crun, then run it. */
const HIDE_CGROUP2_AND_EXEC = 'if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then umount /sys/fs/cgroup/unified || exit 125; fi; exec "$0" "$@"';

/** `crun run` of the bundle, in the foreground of a child process (crun stays its parent). */
export function runContainer(bundle: RuntimeBundle): RunningContainer {
  const crun = crunPath();
  const state = join(bundle.dir, 'crun-state');
  mkdirSync(state);
  const id = `portcullis-${randomBytes(6).toString('hex')}`;
  const argv = (args: readonly string[]): string[] => ['--mount', '--propagation', 'private', '--', 'sh', '-c', HIDE_CGROUP2_AND_EXEC, crun, '--root', state, '--cgroup-manager=disabled', ...args];
  const child: ChildProcess = spawn('unshare', argv(['run', '--bundle', bundle.dir, id]), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer): void => { output = (output + d.toString('utf8')).slice(-256 * 1024); };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => { exit = { code, signal }; resolve(); });
    child.once('error', (err) => { output += `\ncrun: ${err.message}`; exit = { code: null, signal: null }; resolve(); });
  });
  const crunCmd = (args: string[]) => run('unshare', argv(args), { maxBuffer: 16 * 1024 * 1024 });
  const { uid, gid } = imageUser(bundle.imageConfig.User);
  let stopped: Promise<void> | undefined;
  const waitExit = async (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
  };
  return {
    id,
    async pid() {
      const { stdout } = await crunCmd(['state', id]);
      return (JSON.parse(stdout) as { pid: number }).pid;
    },
    logs: () => output,
    exited: () => exit,
    async exec(args, user = `${uid}:${gid}`) {
      try {
        const { stdout, stderr } = await crunCmd(['exec', '--user', user, '--no-new-privs', id, ...args]);
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    stop: () => (stopped ??= (async () => {
      if (!exit) {
        await crunCmd(['kill', id, 'TERM']).catch(() => undefined);
        await waitExit(10_000);
      }
      if (!exit) {
        await crunCmd(['kill', id, 'KILL']).catch(() => undefined);
        await waitExit(5_000);
      }
      await crunCmd(['delete', '--force', id]).catch(() => undefined);
      bundle.cleanup();
    })()),
  };
}
