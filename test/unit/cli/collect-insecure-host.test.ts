import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from 'commander';
import { collectInsecureHost } from '../../../src/cli/collect-insecure-host.js';

describe('collectInsecureHost', () => {
  it('collects hosts in their canonical form', () => {
    expect(collectInsecureHost('Registry.Local:5000', collectInsecureHost('LOCALHOST:5001', []))).toEqual(['localhost:5001', 'registry.local:5000']);
  });

  it.each(['not a host', 'registry.local:443', 'registry.local:99999'])('refuses %j as an invalid argument', (host) => {
    expect(() => collectInsecureHost(host, [])).toThrow(InvalidArgumentError);
  });
});
