import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatVerdict, verifyCommand } from '../../../src/cli/verify.js';
import type { DetailedVerdict } from '../../../src/validation/create-image-validator.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  await verifyCommand({ stdout: (l) => out.push(l), stderr: (l) => err.push(l), exit: (c) => { code = c; } }).parseAsync(args, { from: 'user' });
  return { out, err, code };
}

describe('portcullis verify', () => {
  it('exits 2 with the field named when the config is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-verify-'));
    writeFileSync(join(dir, 'c.yaml'), 'verifiers:\n  - {name: a, type: pgp}\n');
    const r = await run(['registry.test/app:1', '--config', join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain('verifiers[0].type');
  });

  it('exits 2 when a verifier cannot be built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-verify-'));
    writeFileSync(join(dir, 'c.yaml'), 'verifiers:\n  - {name: a, type: cosign, key: missing.pub}\n');
    const r = await run(['registry.test/app:1', '--config', join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(/^error: .*verifiers\[0\]/);
  });

  it('prints a readable table per image', () => {
    const verdict: DetailedVerdict = {
      image: 'registry.test/app:1', allowed: false, reasons: ['no valid signature: notation "release": expired'], warnings: ['w'],
      summary: 'denied: release invalid', excluded: false,
      targets: [{
        input: {
          subject: { reference: 'registry.test/app:1@sha256:aaaa', registry: 'registry.test', repository: 'app', digest: 'sha256:aaaa', mediaType: 'm' },
          request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'x', groups: [] } },
          results: [{
            verifier: 'release', type: 'notation', artifactType: 'application/vnd.cncf.notary.signature',
            referrer: { digest: 'sha256:0123456789abcdef0123', mediaType: 'm', annotations: {} }, valid: false, message: 'expired', details: {}, nested: [],
          }],
          errors: [{ stage: 'fetch', message: 'blob too large' }],
        },
        decision: { allowed: false, reasons: [], warnings: [] },
      }],
    };
    expect(formatVerdict(verdict)).toEqual([
      'registry.test/app:1: DENIED',
      '  reason: no valid signature: notation "release": expired',
      '  warning: w',
      '  subject: registry.test/app:1@sha256:aaaa',
      '    VERIFIER  TYPE      REFERRER              RESULT   MESSAGE',
      '    release   notation  sha256:0123456789ab…  invalid  expired',
      '    error in fetch: blob too large',
    ]);
  });
});
