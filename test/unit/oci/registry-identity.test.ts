import { describe, expect, it } from '@jest/globals';
import { canonicalNamePattern, canonicalRegistryHost, canonicalRepository, canonicalScope, identityName, registryIdentity } from '../../../src/oci/registry-identity.js';
import { parseReference } from '../../../src/oci/reference.js';

describe('canonicalRegistryHost', () => {
  describe('with spellings the runtime reaches as one registry', () => {
    it.each([
      ['REGISTRY.corp.example', 'registry.corp.example'],
      ['registry.corp.example:443', 'registry.corp.example'],
      ['Registry.Corp.Example:0443', 'registry.corp.example'],
      ['docker.io', 'docker.io'],
      ['index.docker.io', 'docker.io'],
      ['registry-1.docker.io', 'docker.io'],
      ['Registry-1.Docker.IO:443', 'docker.io'],
      ['registry.hub.docker.com', 'docker.io'],
      ['localhost', 'localhost'],
      ['LOCALHOST:5000', 'localhost:5000'],
      ['[::1]:5000', '[::1]:5000'],
      ['[0:0:0:0:0:0:0:1]:5000', '[::1]:5000'],
      ['[::1]:443', '[::1]'],
      ['[FE80::1]', '[fe80::1]'],
      ['127.0.0.1:5000', '127.0.0.1:5000'],
    ])('writes %s as %s', (host, canonical) => {
      expect(canonicalRegistryHost(host)).toBe(canonical);
    });
  });

  describe('with hosts that are different endpoints', () => {
    it('keeps a non-default port', () => {
      expect(canonicalRegistryHost('registry.corp.example:5000')).toBe('registry.corp.example:5000');
    });

    it('keeps :80, which is not the default port of an HTTPS pull', () => {
      expect(canonicalRegistryHost('registry.corp.example:80')).toBe('registry.corp.example:80');
    });

    it('does not fold a look-alike of Docker Hub', () => {
      expect(canonicalRegistryHost('docker.io.evil.example')).toBe('docker.io.evil.example');
      expect(canonicalRegistryHost('docker.io:5000')).toBe('docker.io:5000');
    });
  });

  describe('with hosts no client can reach', () => {
    it.each(['', 'host:65536', 'a/b', 'a b', 'a@b', '-a.example', 'a..b', 'x'.repeat(400), 'a.b:port'])('refuses %j with INVALID_REFERENCE', (host) => {
      expect(() => canonicalRegistryHost(host)).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
    });
  });
});

describe('canonicalRepository', () => {
  it('adds library/ to a one-component Docker Hub path only', () => {
    expect(canonicalRepository('docker.io', 'nginx')).toBe('library/nginx');
    expect(canonicalRepository('docker.io', 'bitnami/redis')).toBe('bitnami/redis');
    expect(canonicalRepository('ghcr.io', 'nginx')).toBe('nginx');
  });
});

describe('registryIdentity', () => {
  it('folds every Docker Hub spelling of nginx into docker.io/library/nginx', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'INDEX.docker.io:443']) {
      expect(registryIdentity(host, 'nginx')).toEqual({ registry: 'docker.io', repository: 'library/nginx', name: 'docker.io/library/nginx' });
    }
  });
});

describe('parseReference', () => {
  it.each([
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['registry-1.docker.io/library/nginx:1.27', 'docker.io/library/nginx'],
    ['registry-1.docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/nginx', 'docker.io/library/nginx'],
    ['REGISTRY.corp.example/prod/app:1', 'registry.corp.example/prod/app'],
    ['registry.corp.example:443/prod/app:1', 'registry.corp.example/prod/app'],
    ['[0::1]:5000/app', '[::1]:5000/app'],
  ])('gives %s the identity %s', (input, name) => {
    const ref = parseReference(input);
    expect(identityName(ref)).toBe(name);
    expect(ref.original).toBe(input);
  });

  it('refuses a port no client can dial', () => {
    expect(() => parseReference('registry.corp.example:70000/app')).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
  });
});

describe('canonicalScope', () => {
  it.each([
    ['REGISTRY.corp.example:443/prod/app', 'registry.corp.example/prod/app'],
    ['index.docker.io/nginx', 'docker.io/library/nginx'],
    ['registry-1.docker.io/library/nginx', 'docker.io/library/nginx'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app'],
  ])('writes %s as %s', (scope, canonical) => {
    expect(canonicalScope(scope)).toBe(canonical);
  });

  it('refuses a scope without a registry host', () => {
    expect(() => canonicalScope('/app')).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
    expect(() => canonicalScope('app')).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
  });
});

describe('canonicalNamePattern', () => {
  it.each([
    ['Registry.Corp.Example:443/prod/**', 'registry.corp.example/prod/**'],
    ['index.docker.io/nginx', 'docker.io/library/nginx'],
    ['registry-1.docker.io/library/*', 'docker.io/library/*'],
    ['docker.io/*', 'docker.io/library/*'],
    ['docker.io/**', 'docker.io/**'],
    ['nginx', 'docker.io/library/nginx'],
    ['nginx*', 'docker.io/library/nginx*'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/*', 'docker.io/bitnami/*'],
    ['*.Corp.Example:443/**', '*.corp.example/**'],
    ['127.0.0.1:*/demo/*', '127.0.0.1:*/demo/*'],
    ['**', '**'],
    ['*', '*'],
    ['**/nginx', '**/nginx'],
    ['*/app', '*/app'],
    ['[::1]:5000/app', '\\[::1\\]:5000/app'],
    ['registry.corp.example:99999/app', 'registry.corp.example:99999/app'],
  ])('writes %s as %s', (pattern, canonical) => {
    expect(canonicalNamePattern(pattern)).toBe(canonical);
  });

  it('is idempotent', () => {
    for (const p of ['Registry.Corp.Example:443/prod/**', 'nginx*', '[::1]:5000/app', '*.corp.example/**', 'docker.io/*']) {
      expect(canonicalNamePattern(canonicalNamePattern(p))).toBe(canonicalNamePattern(p));
    }
  });
});
