/** Compiles a policy directory (test/fixtures/policy/<name> or policies/…) with the real opa. */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { buildPolicyBundle } from '../../src/policy/build-policy-bundle.js';
import { PROJECT_ROOT, toolPath } from './tools.js';

export async function buildFixtureBundle(nameOrDir: string, options: { entrypoint?: string; out?: string } = {}): Promise<{ path: string; bytes: Uint8Array }> {
  const dir = isAbsolute(nameOrDir) ? nameOrDir : join(PROJECT_ROOT, 'test/fixtures/policy', nameOrDir);
  const out = options.out ?? join(mkdtempSync(join(tmpdir(), 'portcullis-bundle-')), 'bundle.tar.gz');
  await buildPolicyBundle(dir, out, { opaPath: toolPath('opa'), entrypoint: options.entrypoint });
  return { path: out, bytes: await readFile(out) };
}
