import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyCommand } from '../../../src/cli/policy.js';
import { readBundle } from '../../../src/policy/read-bundle.js';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  await policyCommand({ stdout: (l) => out.push(l), stderr: (l) => err.push(l), exit: (c) => { code = c; } }).parseAsync(args, { from: 'user' });
  return { out: out.join('\n'), err: err.join('\n'), code };
}

const unsigned = {
  subject: { reference: 'r.example/app@sha256:aa', registry: 'r.example', repository: 'app', digest: 'sha256:aa', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'me', groups: [] } },
  results: [],
  errors: [],
};

describe('portcullis policy', () => {
  describe('build', () => {
    it('compiles a policy directory into a Wasm bundle', async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'portcullis-cli-')), 'b', 'bundle.tar.gz');
      const r = await run(['build', join(PROJECT_ROOT, 'policies'), '--out', out, '--opa', toolPath('opa')]);
      expect(r).toEqual({ out, err: '', code: 0 });
      expect(readBundle(await import('node:fs').then((fs) => fs.readFileSync(out))).data).toEqual({});
    }, 60_000);

    it('says how to install opa when it is missing', async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'portcullis-cli-')), 'bundle.tar.gz');
      const r = await run(['build', join(PROJECT_ROOT, 'policies'), '--out', out, '--opa', '/nonexistent/opa']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('scripts/install-tools.sh opa');
      expect(existsSync(out)).toBe(false);
    });

    it('reports Rego that does not compile', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-bad-rego-'));
      writeFileSync(join(dir, 'p.rego'), 'package portcullis\n\ndecision := {\n');
      const r = await run(['build', dir, '--out', join(dir, 'out.tar.gz'), '--opa', toolPath('opa')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: opa build .* failed: .*rego_parse_error/s);
    }, 60_000);
  });

  describe('eval', () => {
    it('prints the decision of the bundled default policy; exit 1 when denied', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-eval-'));
      writeFileSync(join(dir, 'input.json'), JSON.stringify(unsigned));
      const r = await run(['eval', '--input', join(dir, 'input.json')]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toEqual({ allowed: false, reasons: ['no valid signature: no Notation or Cosign signature found for this image'], warnings: [] });
    }, 60_000);

    it('evaluates a given bundle with extra data; exit 0 when allowed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-eval-'));
      const bundle = join(dir, 'flip.tar.gz');
      await run(['build', join(PROJECT_ROOT, 'test/fixtures/policy/flip'), '--out', bundle, '--opa', toolPath('opa')]);
      writeFileSync(join(dir, 'input.json'), JSON.stringify(unsigned));
      writeFileSync(join(dir, 'data.json'), JSON.stringify({ allow: false, generation: 'cli' }));
      const denied = await run(['eval', '--input', join(dir, 'input.json'), '--bundle', bundle, '--data', join(dir, 'data.json')]);
      expect(JSON.parse(denied.out)).toEqual({ allowed: false, reasons: ['denied by flip policy generation cli'], warnings: [] });
      const allowed = await run(['eval', '--input', join(dir, 'input.json'), '--bundle', bundle]);
      expect(allowed.code).toBe(0);
    }, 60_000);

    it('exits 2 on a broken bundle or input', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-eval-'));
      writeFileSync(join(dir, 'input.json'), '{not json');
      writeFileSync(join(dir, 'bundle.tar.gz'), 'nope');
      expect((await run(['eval', '--input', join(dir, 'input.json')])).code).toBe(2);
      writeFileSync(join(dir, 'input.json'), '{}');
      const r = await run(['eval', '--input', join(dir, 'input.json'), '--bundle', join(dir, 'bundle.tar.gz')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: INVALID_BUNDLE: /);
    });
  });
});
