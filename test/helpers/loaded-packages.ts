/**
 * Which npm packages `startPortcullis` loads for a config (issue 15: what a config does not use
 * is imported lazily). Starts the server from the TypeScript sources in a child Node process
 * (bench/ts-hooks.mjs compiles them) with test/helpers/track-packages.mjs recording every
 * package loaded, waits until it listens, closes it, and returns the packages' names.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../../src/certs/index.js';
import { PROJECT_ROOT } from './tools.js';

const exec = promisify(execFile);

/** `config` is a Portcullis config without server/tls (added here); `env` is the child's whole environment. */
export async function loadedPackages(config: Record<string, unknown>, env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-loaded-packages-'));
  try {
    await writeCertSet(join(dir, 'certs'), generateCertSet());
    const configPath = join(dir, 'portcullis.yaml');
    writeFileSync(configPath, stringify({
      server: { host: '127.0.0.1', port: 0, metricsPort: 0, shutdownGraceMs: 200 },
      tls: { certFile: join(dir, 'certs', 'tls.crt'), keyFile: join(dir, 'certs', 'tls.key') },
      ...config,
    }));
    const track = join(dir, 'packages.txt');
    writeFileSync(track, '');
    const script = `const { startPortcullis } = await import(${JSON.stringify(join(PROJECT_ROOT, 'src', 'main.ts'))});
const { pino } = await import('pino');
const running = await startPortcullis({ configPath: ${JSON.stringify(configPath)}, logger: pino({ level: 'silent' }) });
await running.close();`;
    await exec(process.execPath, [
      '--import', join(PROJECT_ROOT, 'bench', 'ts-hooks.mjs'), '--import', join(PROJECT_ROOT, 'test', 'helpers', 'track-packages.mjs'),
      '--input-type=module', '-e', script,
    ], { cwd: PROJECT_ROOT, env: { ...env, PORTCULLIS_TRACK_PACKAGES: track }, timeout: 120_000 });
    return readFileSync(track, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
