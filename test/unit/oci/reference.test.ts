import { describe, expect, it } from '@jest/globals';
import { apiHost, parseReference } from '../../../src/oci/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  describe('with valid references', () => {
    it.each([
      ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
      ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
      [`nginx@${D}`, 'docker.io', 'library/nginx', undefined, D],
      [`nginx:1.27@${D}`, 'docker.io', 'library/nginx', '1.27', D],
      ['library/nginx', 'docker.io', 'library/nginx', undefined, undefined],
      ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
      ['index.docker.io/nginx:1', 'docker.io', 'library/nginx', '1', undefined],
      ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
      ['ghcr.io/org/app:1.0', 'ghcr.io', 'org/app', '1.0', undefined],
      ['ghcr.io/org/team/app', 'ghcr.io', 'org/team/app', undefined, undefined],
      ['localhost/app', 'localhost', 'app', undefined, undefined],
      ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined],
      ['127.0.0.1:5000/a/b:tag', '127.0.0.1:5000', 'a/b', 'tag', undefined],
      [`127.0.0.1:5000/a/b:tag@${D}`, '127.0.0.1:5000', 'a/b', 'tag', D],
      ['[::1]:5000/app:1', '[::1]:5000', 'app', '1', undefined],
      ['Registry/app', 'registry', 'app', undefined, undefined],
      ['quay.io/a/b-c__d.e_f:v1.2.3-rc_1', 'quay.io', 'a/b-c__d.e_f', 'v1.2.3-rc_1', undefined],
      ['reg.example/a---b:_x', 'reg.example', 'a---b', '_x', undefined],
    ])('parses %s', (input, registry, repository, tag, digest) => {
      expect(parseReference(input)).toEqual({ original: input, registry, repository, tag, digest });
    });

    it('keeps the reference as written in `original`', () => {
      expect(parseReference('nginx:1.27').original).toBe('nginx:1.27');
    });
  });

  describe('with invalid references', () => {
    it.each([
      ['', 'INVALID_REFERENCE'],
      ['NGINX', 'INVALID_REFERENCE'],
      ['ghcr.io/Org/app', 'INVALID_REFERENCE'],
      ['nginx:', 'INVALID_REFERENCE'],
      ['nginx:-bad', 'INVALID_REFERENCE'],
      [`nginx:${'t'.repeat(129)}`, 'INVALID_REFERENCE'],
      ['nginx@sha256:abc', 'INVALID_DIGEST'],
      ['nginx@md5:0123456789abcdef0123456789abcdef', 'UNSUPPORTED_DIGEST_ALGORITHM'],
      ['a//b', 'INVALID_REFERENCE'],
      ['/nginx', 'INVALID_REFERENCE'],
      ['nginx/', 'INVALID_REFERENCE'],
      ['a_-b', 'INVALID_REFERENCE'],
      ['-host.io/a', 'INVALID_REFERENCE'],
      ['host.io:port/a', 'INVALID_REFERENCE'],
      ['ng inx', 'INVALID_REFERENCE'],
      ['a'.repeat(64).replace(/a/g, 'f'), 'INVALID_REFERENCE'],
      [`reg.io/${'a'.repeat(250)}`, 'REFERENCE_TOO_LONG'],
      ['a'.repeat(5000), 'REFERENCE_TOO_LONG'],
      [`${'a'.repeat(250)}`, 'REFERENCE_TOO_LONG'],
    ])('refuses %j with %s', (input, code) => {
      expect(() => parseReference(input)).toThrow(expect.objectContaining({ code }));
    });
  });
});

describe('apiHost', () => {
  it('serves Docker Hub from registry-1.docker.io', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
  });
});
