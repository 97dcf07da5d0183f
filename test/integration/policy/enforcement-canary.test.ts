/**
 * The enforcement canary through the real bundle watcher: a running Portcullis whose policy
 * bundle file is swapped for one that admits everything. In refuse mode (the default) the
 * swap is refused with a message that says why and the running policy keeps denying; in
 * flag mode it loads and `portcullis_canary_status` turns bad. Built with the real opa.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPolicyBundle } from '../../../src/policy/build-policy-bundle.js';
import { startPolicyEngine } from '../../../src/policy/start-policy-engine.js';
import { createCanary } from '../../../src/canary/create-canary.js';
import { parseConfig } from '../../../src/config/index.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait-for.js';

let work: string;
let defaultBundle: string;
let allowAll: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'portcullis-canary-'));
  const dir = join(work, 'allow-all');
  mkdirSync(dir);
  writeFileSync(join(dir, 'allow.rego'), 'package portcullis\n\ndecision := {"allowed": true, "reasons": [], "warnings": []}\n');
  [defaultBundle, allowAll] = await Promise.all([
    buildPolicyBundle(join(PROJECT_ROOT, 'policies'), join(work, 'default.tar.gz'), { opaPath: toolPath('opa') }),
    buildPolicyBundle(dir, join(work, 'allow-all.tar.gz'), { opaPath: toolPath('opa') }),
  ]);
}, 120_000);

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

/** A watched folder holding bundle.tar.gz = the default policy. */
function bundleDir(): { file: string; replace(from: string): void } {
  const dir = mkdtempSync(join(work, 'watched-'));
  const file = join(dir, 'bundle.tar.gz');
  writeFileSync(file, readBytes(defaultBundle));
  return {
    file,
    replace(from) {
      writeFileSync(join(dir, 'next.tmp'), readBytes(from));
      renameSync(join(dir, 'next.tmp'), file);
    },
  };
}
const readBytes = (f: string) => readFileSync(f);

async function value(p: TestPortcullis, metric: 'canaryStatus' | 'canaryRefusals' | 'policyReloads', labels: Record<string, string> = {}): Promise<number | undefined> {
  const got = await p.running.metrics[metric].get();
  return got.values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value;
}

describe('the enforcement canary', () => {
  let p: TestPortcullis | undefined;
  afterEach(async () => { await p?.close(); p = undefined; });

  it('refuses a hot-swapped bundle that admits everything, saying why, and keeps the running policy', async () => {
    const bundle = bundleDir();
    p = await startTestPortcullis({ config: { policy: { bundle: bundle.file } } });
    expect(await value(p, 'canaryStatus', { check: 'unsigned' })).toBe(1);

    bundle.replace(allowAll);
    await waitFor('the permissive bundle to be refused', async () => ((await value(p!, 'policyReloads', { result: 'failure' })) ?? 0) >= 1 || undefined, 10_000, 50);

    const refusal = p.logs.find((l) => l.msg === 'policy bundle refused; keeping the current policy');
    expect(refusal).toMatchObject({ code: 'UNSAFE_POLICY', source: bundle.file });
    expect(refusal!.err).toBe(
      `enforcement canary: policy ${bundle.file} is refused because it admits an unsigned image (no signature at all) in enforce-mode namespace "portcullis-canary"; ` +
      'it admits an image whose only signature does not verify in enforce-mode namespace "portcullis-canary"; ' +
      'the running policy is kept (set canary.onUnsafe: flag to load such a policy anyway)',
    );
    expect(await value(p, 'canaryRefusals')).toBe(1);
    // The live policy is still the default one, and still passes.
    expect(await value(p, 'canaryStatus', { check: 'unsigned' })).toBe(1);
    expect(p.running.ports().ready()).toBe(true);
    const readyz = await p.get('/readyz?verbose');
    expect(readyz.status).toBe(200);
    expect(readyz.body.split('\n')).toEqual(['[+]ports ok', '[+]canary unsigned ok', '[+]canary invalid-signature ok', '[+]canary signed ok', 'ready']);
    expect((await p.get('/readyz')).body).toBe('ready');
  }, 60_000);

  it('refuses a config change to a permissive bundle, and a start with one', async () => {
    p = await startTestPortcullis();
    expect(await p.reconfigure({ policy: { bundle: allowAll } })).toBe('refused');
    expect(p.logs.some((l) => l.msg?.toString().startsWith('config change refused') && (l.err as { code?: string }).code === 'UNSAFE_POLICY')).toBe(true);
    expect(await p.reconfigure({ policy: { bundle: allowAll }, canary: { onUnsafe: 'flag' } })).toBe('applied');

    const config = parseConfig({ policy: { bundle: allowAll } }, { baseDir: work, file: null });
    const canary = createCanary(config, {});
    await expect(startPolicyEngine(config.policy, { baseDir: work, watch: false, accept: (c, s) => canary.accept(c, s) }))
      .rejects.toMatchObject({ code: 'UNSAFE_POLICY', message: expect.stringContaining('admits an unsigned image') });
  }, 60_000);

  it('in opt-out (flag) mode loads the permissive bundle and the canary metric turns bad', async () => {
    const bundle = bundleDir();
    p = await startTestPortcullis({ config: { policy: { bundle: bundle.file }, canary: { onUnsafe: 'flag' } } });
    expect(await value(p, 'canaryStatus', { check: 'unsigned' })).toBe(1);

    bundle.replace(allowAll);
    await waitFor('the permissive bundle to load', async () => ((await value(p!, 'policyReloads', { result: 'success' })) ?? 0) >= 2 || undefined, 10_000, 50);

    expect(await value(p, 'canaryStatus', { check: 'unsigned' })).toBe(0);
    expect(await value(p, 'canaryStatus', { check: 'invalid-signature' })).toBe(0);
    expect(await value(p, 'canaryStatus', { check: 'signed' })).toBe(1);
    expect(await value(p, 'canaryRefusals')).toBe(0);
    expect(p.logs.some((l) => String(l.msg).startsWith('enforcement canary: this policy admits known-bad images'))).toBe(true);
    const text = await (await fetch(`${p.running.metricsUrl}/metrics`)).text();
    expect(text).toContain('portcullis_canary_status{check="unsigned"} 0');
    const readyz = await p.get('/readyz?verbose');
    expect(readyz.status).toBe(200);
    expect(readyz.body).toContain('[-]canary unsigned failed: expected deny, allowed in namespace "portcullis-canary"');
  }, 60_000);
});
