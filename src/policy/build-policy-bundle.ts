/**
 * Compiles a directory of Rego into a Wasm policy bundle with the real `opa` CLI
 * (`opa build -t wasm -e portcullis/decision`, https://www.openpolicyagent.org/docs/wasm/).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PROJECT_ROOT } from './project-root.js';
import { PolicyError } from './policy-error.js';
import { DECISION_ENTRYPOINT } from './load-wasm-policy.js';

export interface BuildPolicyBundleOptions {
  /** Path of the `opa` binary; default $PORTCULLIS_OPA, then .tools/bin/opa, then `opa` on PATH. */
  readonly opaPath?: string | undefined;
  /** Default `portcullis/decision`. */
  readonly entrypoint?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Where `opa` is looked for when no path is given. */
export function findOpa(): string {
  const fromEnv = process.env.PORTCULLIS_OPA;
  if (fromEnv) return fromEnv;
  const local = resolve(PROJECT_ROOT, '.tools/bin/opa');
  return existsSync(local) ? local : 'opa';
}

const BUILD_TIMEOUT_MS = 120_000;

/**
 * Builds `dir` (tests `*_test.rego` and `examples/` folders left out) into the bundle `out`
 * (tar.gz with /policy.wasm and /data.json), written atomically so a watcher never loads half
 * a file. Throws PolicyError `OPA_NOT_FOUND` or `BUILD_FAILED`.
 */
export async function buildPolicyBundle(dir: string, out: string, options: BuildPolicyBundleOptions = {}): Promise<string> {
  const opa = options.opaPath ?? findOpa();
  const target = resolve(out);
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(dirname(target), { recursive: true });
  const args = ['build', '-t', 'wasm', '-e', options.entrypoint ?? DECISION_ENTRYPOINT, '--ignore', '*_test.rego', '--ignore', 'examples', '-o', tmp, '.'];
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(BUILD_TIMEOUT_MS)]) : AbortSignal.timeout(BUILD_TIMEOUT_MS);
  try {
    await new Promise<void>((ok, fail) => {
      const child = spawn(opa, args, { cwd: resolve(dir), stdio: ['ignore', 'pipe', 'pipe'], signal });
      // opa prints compile errors on stdout, other failures on stderr
      let stderr = '';
      const collect = (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' && !existsSync(resolve(dir))) fail(new PolicyError('BUILD_FAILED', `policy directory ${dir} does not exist`));
        else if (e.code === 'ENOENT') fail(new PolicyError('OPA_NOT_FOUND', `opa is not installed (looked for ${opa}): install it with scripts/install-tools.sh opa, or set PORTCULLIS_OPA`, { cause: e }));
        else fail(new PolicyError('BUILD_FAILED', `opa build failed: ${e.message}`, { cause: e }));
      });
      child.once('close', (code) => {
        if (code === 0) ok();
        else fail(new PolicyError('BUILD_FAILED', `opa build ${dir} failed: ${stderr.trim() || `exit code ${code}`}`));
      });
    });
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
  return target;
}
