import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPolicyBundle, type BuildPolicyBundleOptions } from './build-policy-bundle.js';
import { PROJECT_ROOT } from './project-root.js';

/** Where the project build puts the compiled default policy (`buildPolicyBundle('policies', …)`). */
export const DEFAULT_BUNDLE_PATH = resolve(PROJECT_ROOT, 'dist/policy/bundle.tar.gz');
export const DEFAULT_POLICY_DIR = resolve(PROJECT_ROOT, 'policies');

function newestRego(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.rego') || name === 'data.json') newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  }
  return newest;
}

/**
 * The bytes of the bundled default policy (config `policy.bundle: null`): the build's
 * dist/policy/bundle.tar.gz when it is at least as new as policies/, else policies/ compiled
 * now with opa (a development checkout or a test run).
 */
export async function defaultPolicyBundle(options: BuildPolicyBundleOptions = {}): Promise<Uint8Array> {
  if (existsSync(DEFAULT_BUNDLE_PATH) && statSync(DEFAULT_BUNDLE_PATH).mtimeMs >= newestRego(DEFAULT_POLICY_DIR)) {
    return readFile(DEFAULT_BUNDLE_PATH);
  }
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-policy-'));
  try {
    const out = await buildPolicyBundle(DEFAULT_POLICY_DIR, join(dir, 'bundle.tar.gz'), options);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
