/**
 * Signs images with the real `notation` CLI: a throwaway test key and self-signed certificate
 * (`notation cert generate-test`) in a private config directory, signatures pushed to a
 * loopback registry over plain HTTP (tag schema, which every registry supports).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools.js';

const run = promisify(execFile);

export interface NotationSigner {
  /** PEM file of the signing certificate: put it in a `ca` trust store. */
  readonly certFile: string;
  /** Signs `host/repo@sha256:…`; returns when the signature is pushed. */
  sign(reference: string, auth?: { username: string; password: string }): Promise<void>;
  cleanup(): void;
}

export async function createNotationSigner(name = 'portcullis-e2e'): Promise<NotationSigner> {
  const dir = mkdtempSync(join(tmpdir(), 'notation-'));
  const env = { ...process.env, XDG_CONFIG_HOME: dir, HOME: dir, NOTATION_EXPERIMENTAL: '' };
  await run(toolPath('notation'), ['cert', 'generate-test', '--default', name], { env, timeout: 30_000 });
  return {
    certFile: join(dir, 'notation', 'localkeys', `${name}.crt`),
    async sign(reference, auth) {
      const creds = auth ? ['-u', auth.username, '-p', auth.password] : [];
      await run(toolPath('notation'), ['sign', '--insecure-registry', ...creds, reference], { env, timeout: 60_000 });
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
