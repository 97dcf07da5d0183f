/**
 * Runs the real `syft` CLI (built by scripts/install-tools.sh) on a directory and returns the
 * SBOMs it writes, in an isolated HOME with update checks off, so tests stay offline.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools.js';

const exec = promisify(execFile);

/** An output format, optionally with its version: `spdx-json`, `cyclonedx-json@1.6`, `spdx-json@2.2`. */
export type SyftFormat = 'spdx-json' | 'cyclonedx-json' | `${'spdx-json' | 'cyclonedx-json'}@${string}`;

/** `syft scan dir:<dir> -o <format>=<file>…`; extra args (e.g. `--select-catalogers`) are passed through. */
export async function runSyft<F extends SyftFormat>(dir: string, formats: readonly F[], extraArgs: readonly string[] = []): Promise<Record<F, Buffer>> {
  const home = mkdtempSync(join(tmpdir(), 'syft-cli-'));
  try {
    const file = (f: SyftFormat): string => join(home, `sbom.${f.replace('@', '-')}.json`);
    const outputs = formats.flatMap((f) => ['-o', `${f}=${file(f)}`]);
    try {
      await exec(toolPath('syft'), ['scan', `dir:${dir}`, ...outputs, '-q', ...extraArgs], {
        timeout: 120_000,
        env: {
          PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home,
          SYFT_CHECK_FOR_APP_UPDATE: 'false',
        },
      });
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(`syft failed: ${err.stderr ?? ''}${err.message}`, { cause: e });
    }
    const out = {} as Record<F, Buffer>;
    for (const f of formats) out[f] = readFileSync(file(f));
    return out;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
