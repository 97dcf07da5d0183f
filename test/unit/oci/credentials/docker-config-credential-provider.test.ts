import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerConfigCredentialProvider, parseDockerConfig } from '../../../../src/oci/credentials/docker-config-credential-provider.js';
import { configCredentialProvider } from '../../../../src/oci/credentials/config-credential-provider.js';
import { chainCredentialProviders } from '../../../../src/oci/credentials/chain-credential-providers.js';

const signal = new AbortController().signal;
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseDockerConfig', () => {
  const creds = parseDockerConfig(JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
      'ghcr.io': { username: 'u', password: 'p' },
      'quay.io': { identitytoken: 'refresh' },
      'empty.io': {},
    },
  }));

  it('decodes `auth` (user:password, password may hold colons) under the canonical Docker Hub name', () => {
    expect(creds.get('docker.io')).toEqual({ kind: 'basic', username: 'hub', password: 'pw:with:colons' });
    expect([...creds.keys()]).toEqual(['docker.io', 'ghcr.io', 'quay.io']);
  });
  it('reads username/password and identitytoken', () => {
    expect(creds.get('ghcr.io')).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(creds.get('quay.io')).toEqual({ kind: 'identityToken', token: 'refresh' });
  });
  it('skips entries without credentials', () => {
    expect(creds.get('empty.io')).toBeUndefined();
  });
  it('refuses a file that is not JSON with a code', () => {
    expect(() => parseDockerConfig('{')).toThrow(expect.objectContaining({ code: 'CREDENTIALS_ERROR' }));
  });
});

describe('dockerConfigCredentialProvider', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dockercfg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('a:b') } } }));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reads credentials from the file', async () => {
    expect(await dockerConfigCredentialProvider(join(dir, 'config.json')).credentialsFor('127.0.0.1:5000', {}, signal))
      .toEqual({ kind: 'basic', username: 'a', password: 'b' });
  });
  it('treats a missing file as no credentials', async () => {
    expect(await dockerConfigCredentialProvider(join(dir, 'nope.json')).credentialsFor('x.io', {}, signal)).toBeUndefined();
  });

  describe('when asked on every registry request', () => {
    it('reads and parses an unchanged file once, and an edited file again', async () => {
      const file = join(dir, 'counted.json');
      writeFileSync(file, JSON.stringify({ auths: { 'r.io': { auth: b64('old:pw') } } }));
      let reads = 0;
      const provider = dockerConfigCredentialProvider(file, { readText: (path) => { reads++; return Promise.resolve(readFileSync(path, 'utf8')); } });
      expect(await provider.credentialsFor('r.io', {}, signal)).toEqual({ kind: 'basic', username: 'old', password: 'pw' });
      expect(await provider.credentialsFor('r.io', {}, signal)).toEqual({ kind: 'basic', username: 'old', password: 'pw' });
      expect(reads).toBe(1);
      // Same size on purpose: only the mtime tells the edit apart.
      writeFileSync(file, JSON.stringify({ auths: { 'r.io': { auth: b64('new:pw') } } }));
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      expect(await provider.credentialsFor('r.io', {}, signal)).toEqual({ kind: 'basic', username: 'new', password: 'pw' });
      expect(reads).toBe(2);
    });
  });
});

describe('chainCredentialProviders', () => {
  it('asks providers in order and returns the first answer', async () => {
    const chain = chainCredentialProviders(
      configCredentialProvider([{ host: 'a.io', token: 'tok' }]),
      configCredentialProvider([{ host: 'a.io', username: 'u', password: 'p' }, { host: 'b.io', username: 'u', password: 'p' }]),
    );
    expect(await chain.credentialsFor('a.io', {}, signal)).toEqual({ kind: 'bearer', token: 'tok' });
    expect(await chain.credentialsFor('b.io', {}, signal)).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(await chain.credentialsFor('c.io', {}, signal)).toBeUndefined();
  });
});
