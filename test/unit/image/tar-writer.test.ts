import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { writeTar, type TarEntry } from '../../../scripts/image/tar-writer.js';

const root = { uid: 0, gid: 0 };
const longDir = `app/node_modules/${'@scope-with-a-long-name/'.repeat(4)}package-with-a-long-name`;
const veryLong = `${'d'.repeat(120)}/${'f'.repeat(120)}.js`; // no ustar split fits: PAX path
const entries: TarEntry[] = [
  { type: 'dir', path: 'app', mode: 0o755, ...root },
  { type: 'file', path: 'app/run.js', mode: 0o755, content: Buffer.from('#!/usr/bin/env node\n'), ...root },
  { type: 'file', path: `${longDir}/index.js`, mode: 0o644, content: Buffer.from('export {};\n'), ...root },
  { type: 'file', path: veryLong, mode: 0o644, content: Buffer.alloc(1000, 7), ...root },
  { type: 'symlink', path: 'app/link', mode: 0o777, target: `../${'t'.repeat(150)}`, ...root },
  { type: 'dir', path: 'tmp', mode: 0o1777, ...root },
  { type: 'dir', path: 'home', mode: 0o700, uid: 65532, gid: 65532 },
];

describe('writeTar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-writer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same bytes whatever the order of the entries', () => {
    expect(writeTar([...entries].reverse(), 1_700_000_000).equals(writeTar(entries, 1_700_000_000))).toBe(true);
  });

  it('is read back by GNU tar: names (ustar prefix and PAX), contents, modes, owners, symlink targets, one mtime', () => {
    const tarFile = join(dir, 'layer.tar');
    writeFileSync(tarFile, writeTar(entries, 1_700_000_000));
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', tarFile], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } }).trim().split('\n');
    expect(listing).toHaveLength(entries.length);
    expect(listing.every((l) => l.includes('2023-11-14 22:13:20'))).toBe(true);
    expect(listing.find((l) => l.endsWith(' home/'))).toMatch(/^drwx------ 65532\/65532 /);
    const out = join(dir, 'x');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['--same-permissions', '--numeric-owner', '-xf', tarFile, '-C', out]);
    expect(readFileSync(join(out, longDir, 'index.js'), 'utf8')).toBe('export {};\n');
    expect(readFileSync(join(out, veryLong)).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect(readlinkSync(join(out, 'app/link'))).toBe(`../${'t'.repeat(150)}`);
    expect(lstatSync(join(out, 'app/run.js')).mode & 0o7777).toBe(0o755);
    expect(lstatSync(join(out, 'tmp')).mode & 0o7777).toBe(0o1777);
  });

  it.each([['/etc/passwd'], ['a/../b'], ['a//b'], ['./a']])('refuses the unclean path %j', (path) => {
    expect(() => writeTar([{ type: 'dir', path, mode: 0o755, ...root }], 0)).toThrow(expect.objectContaining({ code: 'TAR_BAD_PATH' }));
  });

  it('refuses two entries for one path', () => {
    expect(() => writeTar([entries[0] as TarEntry, entries[0] as TarEntry], 0)).toThrow(expect.objectContaining({ code: 'TAR_DUPLICATE_PATH' }));
  });
});
