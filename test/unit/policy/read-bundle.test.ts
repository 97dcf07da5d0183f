import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readBundle } from '../../../src/policy/read-bundle.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';

function tarOf(files: Record<string, string>): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-tar-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  execFileSync('tar', ['czf', join(dir, 'out.tar.gz'), '-C', dir, ...Object.keys(files)]);
  return readFileSync(join(dir, 'out.tar.gz'));
}

describe('readBundle', () => {
  it('reads policy.wasm and data.json from a bundle built by opa', async () => {
    const { bytes } = await buildFixtureBundle('builtins');
    const bundle = readBundle(bytes);
    expect(Buffer.from(bundle.wasm.subarray(0, 4)).toString('hex')).toBe('0061736d'); // "\0asm"
    expect(bundle.data).toEqual({ who: 'bundle' });
  }, 60_000);

  it('reads a bundle whose members have no leading slash', () => {
    const bundle = readBundle(tarOf({ 'policy.wasm': 'wasm-bytes', 'data.json': '{"a":1}' }));
    expect(Buffer.from(bundle.wasm).toString()).toBe('wasm-bytes');
    expect(bundle.data).toEqual({ a: 1 });
  });

  describe('when the bundle is broken', () => {
    it('refuses bytes that are not gzip', () => {
      expect(() => readBundle(Buffer.from('not a bundle'))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE' }));
    });
    it('refuses a bundle without policy.wasm', () => {
      expect(() => readBundle(tarOf({ 'data.json': '{}' }))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE', message: expect.stringContaining('/policy.wasm') }));
    });
    it('refuses a data.json that is not a JSON object', () => {
      expect(() => readBundle(tarOf({ 'policy.wasm': 'x', 'data.json': '[1]' }))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE' }));
      expect(() => readBundle(tarOf({ 'policy.wasm': 'x', 'data.json': '{' }))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE' }));
    });
    it('refuses a tar with a corrupted header', () => {
      const tar = Buffer.alloc(1024);
      tar.write('policy.wasm', 0);
      tar.write('00000000001', 124);
      tar.write('9999999', 148); // wrong checksum
      expect(() => readBundle(gzipSync(tar))).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE', message: expect.stringContaining('checksum') }));
    });
    it('refuses a bundle that inflates beyond the size cap', () => {
      const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024));
      expect(() => readBundle(bomb, 1024 * 1024)).toThrow(expect.objectContaining({ code: 'INVALID_BUNDLE' }));
    });
  });
});
