/**
 * The facts of a checkout that the provenance records: its commit, ref and cleanliness, and
 * every pinned input of the image by digest (package-lock.json, the build's pins in
 * scripts/image/inputs.json: the node package per platform, the Debian packages).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INPUTS_FILE } from '../image/build-image.js';
import { readImageInputs, type Architecture } from '../image/image-inputs.js';
import { ReleaseError } from './release-error.js';
import type { BuildFacts, ResourceDescriptor } from './slsa-provenance.js';

export interface CollectOptions {
  readonly projectDir: string;
  readonly architectures: readonly Architecture[];
  readonly commands: readonly string[];
  /** Default: `git remote get-url origin`, as https. */
  readonly sourceRepository?: string;
  /** Default: the checked-out branch (`git symbolic-ref HEAD`). */
  readonly sourceRef?: string;
  readonly sourceDateEpoch?: number;
  readonly inputsFile?: string;
}

function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `git@host:org/repo.git` and `https://host/org/repo.git` → `https://host/org/repo`. */
export function httpsRepository(remote: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(remote);
  const url = scp ? `https://${scp[1]}/${scp[2]}` : remote;
  return url.replace(/\.git$/, '');
}

export function collectBuildFacts(options: CollectOptions): BuildFacts {
  const dir = options.projectDir;
  const commit = git(dir, ['rev-parse', 'HEAD']);
  if (!commit) throw new ReleaseError('MISSING_INPUT', `${dir} is not a git checkout: the provenance needs the source commit`);
  const remote = options.sourceRepository ?? git(dir, ['remote', 'get-url', 'origin']);
  if (!remote) throw new ReleaseError('MISSING_INPUT', 'no source repository: pass --source-repository (there is no `origin` remote)');
  const ref = options.sourceRef ?? git(dir, ['symbolic-ref', 'HEAD']);
  if (!ref) throw new ReleaseError('MISSING_INPUT', 'no source ref (detached HEAD): pass --source-ref, e.g. refs/tags/v0.1.0');

  const inputsFile = options.inputsFile ?? DEFAULT_INPUTS_FILE;
  const inputs = readImageInputs(inputsFile);
  const dependencies: ResourceDescriptor[] = [
    { uri: 'file:package-lock.json', name: 'package-lock.json', digest: { sha256: sha256(readFileSync(join(dir, 'package-lock.json'))) } },
    { uri: 'file:scripts/image/inputs.json', name: 'scripts/image/inputs.json', digest: { sha256: sha256(readFileSync(inputsFile)) } },
  ];
  for (const arch of options.architectures) {
    const node = inputs.node.packages[arch];
    if (node) {
      // The registry's SRI integrity, as npm checks it: sha512-<base64>.
      const hex = Buffer.from(node.integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
      dependencies.push({ uri: `pkg:npm/${node.name}@${inputs.node.version}`, digest: { sha512: hex } });
    }
    for (const p of inputs.debian.packages) {
      const digest = p.sha256[arch];
      if (digest) dependencies.push({ uri: `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=${arch}&distro=${inputs.debian.release.codename}`, digest: { sha256: digest } });
    }
  }
  return {
    sourceRepository: httpsRepository(remote),
    sourceRef: ref,
    sourceCommit: commit,
    sourceTreeClean: git(dir, ['status', '--porcelain', '--untracked-files=no']) === undefined,
    platforms: options.architectures.map((a) => `linux/${a}`),
    sourceDateEpoch: options.sourceDateEpoch,
    commands: options.commands,
    builderNodeVersion: process.version,
    dependencies,
  };
}
