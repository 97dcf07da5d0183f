/**
 * Runs scripts/release.sh for real (the bash script, its node CLI, the real oras, syft,
 * notation and cosign on PATH from .tools/bin) on an image built by buildPortcullisImage, into
 * a loopback registry: plain HTTP, no Rekor upload. Returns the script's JSON result and
 * everything it printed, so tests can check that no secret was logged.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ReleaseResult } from '../../scripts/release/release-image.js';
import type { PortcullisImage } from './build-portcullis-image.js';
import { COSIGN_TEST_PASSWORD, type CosignKeyPair } from './cosign-cli.js';
import type { NotationSigner } from './notation-signer.js';
import { PROJECT_ROOT } from './tools.js';

const exec = promisify(execFile);

export interface ReleasedImage {
  readonly result: ReleaseResult;
  /** stdout + stderr of the script. */
  readonly output: string;
  readonly commands: readonly string[];
  readonly sourceRepository: string;
  readonly sourceRef: string;
  readonly cosignPassword: string;
  cleanup(): void;
}

export interface ReleaseRun {
  readonly image: PortcullisImage;
  /** `host/repo:tag` */
  readonly target: string;
  readonly builderId: string;
  /** The notation signer whose test key signs (its `.key` beside its `.crt`). */
  readonly signer: NotationSigner;
  readonly cosignKey: CosignKeyPair;
  readonly cosignHome?: string;
  readonly sourceRepository?: string;
  readonly sourceRef?: string;
}

export async function releasePortcullis(run: ReleaseRun): Promise<ReleasedImage> {
  const home = mkdtempSync(join(tmpdir(), 'portcullis-release-it-'));
  mkdirSync(join(home, 'docker'));
  const out = join(home, 'out');
  // What buildPortcullisImage did, as the commands a person would type.
  const commands = ['npm run build', `scripts/build-image.sh --no-build --platform ${run.image.platforms.map((p) => p.architecture).join(',')}`];
  const sourceRepository = run.sourceRepository ?? 'https://github.com/portcullis-dev/portcullis';
  const sourceRef = run.sourceRef ?? 'refs/heads/main';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: join(home, 'docker'), TUF_ROOT: join(home, 'tuf'),
    COSIGN_PASSWORD: COSIGN_TEST_PASSWORD,
    NOTATION_KEY_FILE: run.signer.certFile.replace(/\.crt$/, '.key'), NOTATION_CERT_FILE: run.signer.certFile,
    COSIGN_KEY: run.cosignKey.privateKeyPath,
  };
  const args = [
    join(PROJECT_ROOT, 'scripts/release.sh'), '--layout', run.image.layoutDir, '--tag', run.image.tag, '--image', run.target,
    '--builder-id', run.builderId, ...commands.flatMap((c) => ['--build-command', c]),
    '--source-repository', sourceRepository, '--source-ref', sourceRef, '--plain-http', '--no-tlog', '--out', out,
  ];
  try {
    const { stdout, stderr } = await exec('bash', args, { env, cwd: PROJECT_ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    return {
      result: JSON.parse(stdout) as ReleaseResult, output: stdout + stderr, commands, sourceRepository, sourceRef,
      cosignPassword: COSIGN_TEST_PASSWORD,
      cleanup: () => rmSync(home, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/release.sh failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}
