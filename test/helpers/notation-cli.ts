/**
 * Runs the real `notation` CLI with an isolated configuration (HOME and XDG_CONFIG_HOME in a
 * temp dir), so tests never touch the user's notation setup. Experimental features (OCI layout
 * signing) are on.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools.js';

const exec = promisify(execFile);

export interface NotationCli {
  /** The temp dir used as HOME and XDG_CONFIG_HOME. */
  readonly home: string;
  /** `$XDG_CONFIG_HOME/notation`. */
  readonly configDir: string;
  run(args: readonly string[], options?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
  /** Registers a key + certificate chain as a named signing key (signingkeys.json). */
  addSigningKey(name: string, keyPath: string, certPath: string): void;
  cleanup(): void;
}

export function createNotationCli(): NotationCli {
  const home = mkdtempSync(join(tmpdir(), 'notation-cli-'));
  const configDir = join(home, 'notation');
  mkdirSync(configDir, { recursive: true });
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: home, NOTATION_EXPERIMENTAL: '1' };
  return {
    home,
    configDir,
    async run(args, options = {}) {
      try {
        return await exec(toolPath('notation'), [...args], { env, timeout: options.timeoutMs ?? 60_000 });
      } catch (e) {
        const err = e as Error & { stderr?: string; stdout?: string };
        throw new Error(`notation ${args.join(' ')} failed: ${err.stderr ?? ''}${err.stdout ?? ''}${err.message}`, { cause: e });
      }
    },
    addSigningKey(name, keyPath, certPath) {
      // https://github.com/notaryproject/notation/blob/main/specs/directory.spec.md (signingkeys.json)
      const file = join(configDir, 'signingkeys.json');
      const doc = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { default?: string; keys?: unknown[] } : {};
      const keys = [...(doc.keys ?? []), { name, keyPath, certPath }];
      writeFileSync(file, JSON.stringify({ ...doc, default: doc.default ?? name, keys }, null, 2));
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
