import { describe, expect, it } from '@jest/globals';
import { createRegistryLabeler, OTHER_REGISTRY } from '../../../src/oci/registry-label.js';
import { configuredRegistries } from '../../../src/oci/configured-registries.js';

describe('createRegistryLabeler', () => {
  const label = createRegistryLabeler(['127.0.0.1:5000', 'GHCR.io', 'https://index.docker.io/v1/', 'registry.example.com/team/*', '*', '**/app']);

  it('keeps the name of a configured registry, canonically spelt', () => {
    expect(label('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(label('ghcr.io')).toBe('ghcr.io');
    expect(label('ghcr.io:443')).toBe('ghcr.io');
    expect(label('registry.example.com')).toBe('registry.example.com');
  });

  it('folds Docker Hub spellings into one label', () => {
    expect(label('docker.io')).toBe('docker.io');
    expect(label('registry-1.docker.io')).toBe('docker.io');
  });

  it('counts every other host, whatever a Pod names, under one value', () => {
    const seen = new Set(Array.from({ length: 5000 }, (_, i) => label(`evil-${i}.example`)));
    expect([...seen]).toEqual([OTHER_REGISTRY]);
    expect(label('127.0.0.1:5001')).toBe(OTHER_REGISTRY);
    expect(label('__proto__')).toBe(OTHER_REGISTRY);
  });
});

describe('configuredRegistries', () => {
  it('collects the insecure list, credential hosts and verifier scopes', () => {
    const hosts = configuredRegistries({
      insecure: ['localhost:5000'],
      credentials: [{ host: 'quay.io' }],
      verifiers: [
        { type: 'notation', trustPolicy: { trustPolicies: [{ registryScopes: ['reg.corp/app', '*'] }] } },
        { type: 'cosign', scopes: ['ghcr.io/org/**'] },
        null,
      ],
    });
    expect(hosts).toEqual(['localhost:5000', 'quay.io', 'reg.corp/app', '*', 'ghcr.io/org/**']);
  });
});
