/**
 * Drives the real `cosign` CLI (built into .tools/bin by scripts/install-tools.sh) fully offline:
 * HOME, TUF_ROOT and DOCKER_CONFIG point into a private temp dir, COSIGN_EXPERIMENTAL and other
 * COSIGN_* settings from the outer environment are dropped, and every signature is made with
 * `--tlog-upload=false`, so neither Rekor, Fulcio nor the Sigstore TUF repository is contacted.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools.js';

const run = promisify(execFile);
const PASSWORD = 'portcullis-test';
/** The password of every key cosignCli makes (what COSIGN_PASSWORD must be to use them elsewhere). */
export const COSIGN_TEST_PASSWORD = PASSWORD;

export interface CosignKeyPair {
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
}

export interface CosignCli {
  readonly dir: string;
  /** Runs cosign; `extraEnv` e.g. `{COSIGN_EXPERIMENTAL: '1'}` for experimental flags. */
  run(args: readonly string[], extraEnv?: Record<string, string>): Promise<{ stdout: string; stderr: string }>;
  /** `cosign generate-key-pair` (ECDSA P-256). */
  generateKeyPair(prefix: string): Promise<CosignKeyPair>;
  /** `cosign import-key-pair` of a PEM private key (e.g. RSA made by node:crypto). */
  importKeyPair(privateKeyPem: string, prefix: string): Promise<CosignKeyPair>;
  /** `cosign sign --key … --tlog-upload=false` of `host/repo@digest`; extra flags appended. */
  sign(reference: string, key: CosignKeyPair, extra?: readonly string[], extraEnv?: Record<string, string>): Promise<void>;
  /**
   * `cosign attest --key … --tlog-upload=false --type <type> --predicate <file>` of
   * `host/repo@digest`, the predicate written from `predicate`; extra flags appended.
   */
  attest(reference: string, key: CosignKeyPair, type: string, predicate: unknown, extra?: readonly string[]): Promise<void>;
  /** Writes a docker config.json with basic credentials for `host` (what `cosign login` would do). */
  login(host: string, username: string, password: string): void;
  cleanup(): void;
}

/** `binary`: `cosign` (v2, tools/cosign) or `cosign3` (v3, tools/cosign3). */
export function cosignCli(binary: 'cosign' | 'cosign3' = 'cosign'): CosignCli {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cosign-cli-'));
  mkdirSync(join(dir, 'docker'));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('COSIGN_') && !k.startsWith('SIGSTORE_') && !k.startsWith('TUF_')) env[k] = v;
  Object.assign(env, { HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), TUF_ROOT: join(dir, 'tuf'), COSIGN_PASSWORD: PASSWORD });

  let attestations = 0;
  const cli: CosignCli = {
    dir,
    async run(args, extraEnv = {}) {
      try {
        return await run(toolPath(binary), [...args], { cwd: dir, env: { ...env, ...extraEnv }, timeout: 60_000 });
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
      }
    },
    async generateKeyPair(prefix) {
      await cli.run(['generate-key-pair', '--output-key-prefix', prefix]);
      return { privateKeyPath: join(dir, `${prefix}.key`), publicKeyPath: join(dir, `${prefix}.pub`) };
    },
    async importKeyPair(privateKeyPem, prefix) {
      const pemPath = join(dir, `${prefix}-import.pem`);
      writeFileSync(pemPath, privateKeyPem, { mode: 0o600 });
      await cli.run(['import-key-pair', '--key', pemPath, '--output-key-prefix', prefix, '-y']);
      return { privateKeyPath: join(dir, `${prefix}.key`), publicKeyPath: join(dir, `${prefix}.pub`) };
    },
    async sign(reference, key, extra = [], extraEnv = {}) {
      await cli.run(['sign', '--key', key.privateKeyPath, '--tlog-upload=false', '--allow-insecure-registry', '-y', ...extra, reference], extraEnv);
    },
    async attest(reference, key, type, predicate, extra = []) {
      const file = join(dir, `predicate-${(attestations += 1)}.json`);
      writeFileSync(file, JSON.stringify(predicate));
      await cli.run(['attest', '--key', key.privateKeyPath, '--tlog-upload=false', '--allow-insecure-registry', '-y', '--type', type, '--predicate', file, ...extra, reference]);
    },
    login(host, username, password) {
      const auth = Buffer.from(`${username}:${password}`).toString('base64');
      writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }), { mode: 0o600 });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cli;
}
