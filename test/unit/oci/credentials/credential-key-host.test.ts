import { describe, expect, it } from '@jest/globals';
import { credentialKeyHost } from '../../../../src/oci/credentials/credential-key-host.js';

describe('credentialKeyHost', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://Registry.Corp.Example:443/v2/', 'registry.corp.example'],
    ['registry.corp.example/team', 'registry.corp.example'],
    ['  ghcr.io  ', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['http://registry.corp.example:80', 'registry.corp.example:80'],
  ])('files %j under %s', (key, host) => {
    expect(credentialKeyHost(key)).toBe(host);
  });

  it.each(['', '*.corp.example', 'https://', 'host:99999'])('files %j under no registry', (key) => {
    expect(credentialKeyHost(key)).toBeUndefined();
  });
});
