import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistryClient } from '../../../src/oci/registry-client.js';
import { createCredentialProvider } from '../../../src/oci/create-credential-provider.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { attachArtifact, pushImage, type PushedDescriptor } from '../../helpers/push-image.js';
import { htpasswd } from '../../helpers/htpasswd.js';
import { startTokenIssuer, type TokenIssuer } from '../../helpers/token-issuer.js';

const SBOM = 'application/spdx+json';
const auth = { username: 'alice', password: 's3cret:pw' };

describe('registry authentication', () => {
  describe('with basic auth (htpasswd)', () => {
    let reg: RunningRegistry;
    let image: PushedDescriptor;
    let sbom: PushedDescriptor;
    let dir: string;
    beforeAll(async () => {
      reg = await startRegistry('distribution', { auth: { htpasswd: htpasswd(auth.username, auth.password) } });
      image = await pushImage(`${reg.host}/private/app:1`, { auth });
      sbom = await attachArtifact(`${reg.host}/private/app@${image.digest}`, SBOM, { auth });
      dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
    }, 60_000);
    afterAll(async () => { await reg?.stop(); rmSync(dir, { recursive: true, force: true }); });

    it('resolves and lists referrers with credentials from config', async () => {
      const client = createRegistryClient({ insecure: [reg.host], credentials: createCredentialProvider({ credentials: [{ host: reg.host, ...auth }] }) });
      try {
        const ref = parseReference(`${reg.host}/private/app:1`);
        expect((await client.resolve(ref, deadlineSignal(10_000))).digest).toBe(image.digest);
        expect((await client.listReferrers(ref, image, deadlineSignal(10_000))).map((r) => r.descriptor.digest)).toEqual([sbom.digest]);
      } finally { await client.close(); }
    });

    it('resolves with credentials from a docker config.json', async () => {
      const path = join(dir, 'config.json');
      writeFileSync(path, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } }));
      const client = createRegistryClient({ insecure: [reg.host], credentials: createCredentialProvider({ dockerConfig: path }) });
      try {
        expect((await client.resolve(parseReference(`${reg.host}/private/app:1`), deadlineSignal(10_000))).digest).toBe(image.digest);
      } finally { await client.close(); }
    });

    it('fails with UNAUTHORIZED without credentials', async () => {
      const client = createRegistryClient({ insecure: [reg.host] });
      try {
        await expect(client.resolve(parseReference(`${reg.host}/private/app:1`), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      } finally { await client.close(); }
    });

    it('fails with UNAUTHORIZED with wrong credentials', async () => {
      const client = createRegistryClient({ insecure: [reg.host], credentials: createCredentialProvider({ credentials: [{ host: reg.host, username: 'alice', password: 'wrong' }] }) });
      try {
        await expect(client.resolve(parseReference(`${reg.host}/private/app:1`), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      } finally { await client.close(); }
    });
  });

  describe('with bearer tokens the registry validates', () => {
    let issuer: TokenIssuer;
    let reg: RunningRegistry;
    let image: PushedDescriptor;
    let sbom: PushedDescriptor;
    beforeAll(async () => {
      issuer = await startTokenIssuer({ users: { [auth.username]: auth.password }, anonymousPull: true, refreshTokens: { 'refresh-alice': 'alice' } });
      reg = await startRegistry('distribution', { auth: { token: { realm: issuer.realm, service: issuer.service, issuer: issuer.issuer, rootCertBundlePath: issuer.rootCertBundlePath } } });
      image = await pushImage(`${reg.host}/tok/app:1`, { auth });
      sbom = await attachArtifact(`${reg.host}/tok/app@${image.digest}`, SBOM, { auth });
    }, 60_000);
    afterAll(async () => { await reg?.stop(); await issuer?.stop(); });

    it('resolves and lists referrers with a token, asked once per scope', async () => {
      const client = createRegistryClient({
        insecure: [reg.host, issuer.host], cache: createMemoryCache(),
        credentials: createCredentialProvider({ credentials: [{ host: reg.host, ...auth }] }),
      });
      try {
        issuer.requests.length = 0;
        const ref = parseReference(`${reg.host}/tok/app:1`);
        expect((await client.resolve(ref, deadlineSignal(10_000))).digest).toBe(image.digest);
        expect((await client.listReferrers(ref, image, deadlineSignal(10_000))).map((r) => r.descriptor.digest)).toEqual([sbom.digest]);
        expect((await client.resolve(ref, deadlineSignal(10_000))).digest).toBe(image.digest);
        expect(issuer.requests).toEqual([{ scopes: ['repository:tok/app:pull'], user: 'alice' }]);
      } finally { await client.close(); }
    });

    it('exchanges a docker config identitytoken for an access token (OAuth2 refresh grant)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
      try {
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { identitytoken: 'refresh-alice' } } }));
        const client = createRegistryClient({ insecure: [reg.host, issuer.host], credentials: createCredentialProvider({ dockerConfig: join(dir, 'config.json') }) });
        try {
          issuer.requests.length = 0;
          expect((await client.resolve(parseReference(`${reg.host}/tok/app:1`), deadlineSignal(10_000))).digest).toBe(image.digest);
          expect(issuer.requests).toEqual([{ scopes: ['repository:tok/app:pull'], user: 'alice' }]);
        } finally { await client.close(); }
      } finally { rmSync(dir, { recursive: true, force: true }); }
    });

    it('gets an anonymous pull token without credentials', async () => {
      const client = createRegistryClient({ insecure: [reg.host, issuer.host] });
      try {
        expect((await client.resolve(parseReference(`${reg.host}/tok/app:1`), deadlineSignal(10_000))).digest).toBe(image.digest);
      } finally { await client.close(); }
    });

    it('is refused by the registry with a token it did not issue', async () => {
      const client = createRegistryClient({ insecure: [reg.host, issuer.host], credentials: createCredentialProvider({ credentials: [{ host: reg.host, token: 'not-a-jwt' }] }) });
      try {
        await expect(client.resolve(parseReference(`${reg.host}/tok/app:1`), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      } finally { await client.close(); }
    });

    it('refuses a plain-HTTP realm on a host not listed as insecure', async () => {
      const client = createRegistryClient({ insecure: [reg.host] });
      try {
        await expect(client.resolve(parseReference(`${reg.host}/tok/app:1`), deadlineSignal(10_000))).rejects.toMatchObject({ code: 'REALM_REFUSED' });
      } finally { await client.close(); }
    });
  });
});
