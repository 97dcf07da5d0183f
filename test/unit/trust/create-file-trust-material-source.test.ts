import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileTrustMaterialSource } from '../../../src/trust/create-file-trust-material-source.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createFileTrustMaterialSource', () => {
  it('loads one file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-src-'));
    writeFileSync(join(dir, 'a.pem'), 'A');
    const src = createFileTrustMaterialSource(join(dir, 'a.pem'));
    expect(src.id).toBe(`file:${join(dir, 'a.pem')}`);
    expect((await src.load()).map((m) => Buffer.from(m.bytes).toString())).toEqual(['A']);
  });
  it('loads the files of a folder in name order, following symlinks, skipping hidden entries and sub-folders', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-src-'));
    writeFileSync(join(dir, 'b.pem'), 'B');
    writeFileSync(join(dir, 'a.crt'), 'A');
    mkdirSync(join(dir, '..2026_01_01'));
    writeFileSync(join(dir, '..2026_01_01', 'c.pem'), 'C');
    symlinkSync(join(dir, '..2026_01_01', 'c.pem'), join(dir, 'c.pem'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'd.pem'), 'D');
    const items = await createFileTrustMaterialSource(dir).load();
    expect(items.map((m) => [m.origin, Buffer.from(m.bytes).toString()])).toEqual([
      [join(dir, 'a.crt'), 'A'], [join(dir, 'b.pem'), 'B'], [join(dir, 'c.pem'), 'C'],
    ]);
  });
  it('fails with READ_FAILED for a missing path', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-src-'));
    await expect(createFileTrustMaterialSource(join(dir, 'nope')).load()).rejects.toMatchObject({ code: 'READ_FAILED' });
  });
});
