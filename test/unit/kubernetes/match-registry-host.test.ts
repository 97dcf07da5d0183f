import { describe, expect, it } from '@jest/globals';
import { matchRegistryHost } from '../../../src/kubernetes/match-registry-host.js';

describe('matchRegistryHost', () => {
  it.each([
    ['ghcr.io', 'ghcr.io', true],
    ['GHCR.io', 'ghcr.io', true],
    ['https://ghcr.io/v2/', 'ghcr.io', true],
    ['registry.example.com/team', 'registry.example.com', true],
    ['127.0.0.1:5000', '127.0.0.1:5000', true],
    ['127.0.0.1:5000', '127.0.0.1:5001', false],
    ['127.0.0.1', '127.0.0.1:5000', false],
    ['https://index.docker.io/v1/', 'docker.io', true],
    ['registry-1.docker.io', 'docker.io', true],
    ['index.docker.io', 'docker.io', true],
    ['REGISTRY.corp.example:443', 'registry.corp.example', true],
    ['*.Corp.Example:443', 'registry.corp.example', true],
    ['registry.corp.example:80', 'registry.corp.example', false],
    ['*.example.com', 'r.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.example.com:5000', 'r.example.com:5000', true],
    ['*.example.com', 'r.example.com:5000', false],
    ['example.com', 'evil-example.com', false],
    ['', 'ghcr.io', false],
  ])('key %j applies to %j: %s', (key, registry, expected) => {
    expect(matchRegistryHost(key, registry)).toBe(expected);
  });
});
