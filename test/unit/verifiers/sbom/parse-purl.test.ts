import { describe, expect, it } from '@jest/globals';
import { parsePurl } from '../../../../src/verifiers/sbom/parse-purl.js';

describe('parsePurl', () => {
  it('splits type, namespace, name and version, dropping qualifiers', () => {
    expect(parsePurl('pkg:apk/alpine/busybox@1.35.0-r29?arch=x86_64&distro=alpine-3.17.1')).toEqual({
      type: 'apk', namespace: 'alpine', name: 'busybox', version: '1.35.0-r29',
    });
  });
  it('decodes a percent-encoded npm scope', () => {
    expect(parsePurl('pkg:npm/%40angular/core@16.0.0')).toEqual({ type: 'npm', namespace: '@angular', name: 'core', version: '16.0.0' });
  });
  it('reads a PURL without namespace or version', () => {
    expect(parsePurl('pkg:npm/left-pad')).toEqual({ type: 'npm', namespace: '', name: 'left-pad', version: undefined });
  });
  it('drops the subpath and lower-cases the type', () => {
    expect(parsePurl('pkg:GOLANG/github.com/gorilla/context@234fd47e07d1004f0aed9c#api')).toEqual({
      type: 'golang', namespace: 'github.com/gorilla', name: 'context', version: '234fd47e07d1004f0aed9c',
    });
  });
  it.each(['npm/left-pad', 'pkg:', 'pkg:npm', 'pkg:/left-pad', 'pkg:npm/%E0%A4%A', 'pkg:n$m/x'])('refuses %s', (text) => {
    expect(parsePurl(text)).toBeUndefined();
  });
});
