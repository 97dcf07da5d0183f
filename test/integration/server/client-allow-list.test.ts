/**
 * Only the API server calls the webhook (issue 14 item 5): with mTLS on, a client certificate
 * signed by the client CA is not enough — its CN or a DNS SAN must be in
 * `tls.allowedClientNames`. Real server over HTTPS on 127.0.0.1, real certificates.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { httpsRequest } from '../../helpers/https-client.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';
import { createTestCa, type IssuedCertificate } from '../../helpers/test-ca.js';

const clientCa = createTestCa('webhook-client-ca');
const apiServer = clientCa.issue({ commonName: 'kube-apiserver-webhook-client', usage: 'client' });
const bySan = clientCa.issue({ commonName: 'some-other-cn', dnsNames: ['apiserver.cluster.example'], usage: 'client' });
// Signed by the same CA, as a cluster CA signs every kubelet and controller: not the API server.
const intruder = clientCa.issue({ commonName: 'system:node:worker-1', usage: 'client' });
const wildcard = clientCa.issue({ commonName: 'wild', dnsNames: ['*.cluster.example'], usage: 'client' });

describe('the client allow-list (tls.allowedClientNames)', () => {
  let p: TestPortcullis;
  let caDir: string;
  const validator = new FakeImageValidator();
  const tlsConfig = (allowedClientNames: string[]) => ({ tls: { clientCAFile: join(caDir, 'client-ca.crt'), allowedClientNames } });

  beforeAll(async () => {
    caDir = mkdtempSync(join(tmpdir(), 'portcullis-client-ca-'));
    writeFileSync(join(caDir, 'client-ca.crt'), clientCa.certPem);
    p = await startTestPortcullis({
      config: tlsConfig(['kube-apiserver-webhook-client', 'apiserver.cluster.example']),
      ports: { validator, ready: () => true },
    });
  }, 30_000);
  afterAll(async () => {
    await p?.close();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  const review = (client: IssuedCertificate) => httpsRequest(`${p.running.url}/validate`, {
    method: 'POST', body: fixtureText('pod-create.json'), ca: p.certs.ca.certPem, cert: client.certPem, key: client.keyPem,
  });

  it('answers the API server, named by its certificate\'s CN', async () => {
    const r = await review(apiServer);
    expect(r.status).toBe(200);
    expect(r.json<{ response: { allowed: boolean } }>().response.allowed).toBe(true);
  });

  it('answers a client named by a DNS SAN', async () => {
    expect((await review(bySan)).status).toBe(200);
  });

  it('refuses a certificate of the same CA outside the list with 403, before any work, and logs who it was', async () => {
    const calls = validator.calls.length;
    const r = await review(intruder);
    expect([r.status, r.json<{ code: string }>().code]).toEqual([403, 'CLIENT_NOT_ALLOWED']);
    expect(validator.calls.length).toBe(calls);
    const line = p.logs.find((l) => l.msg === 'caller refused: its client certificate is not in tls.allowedClientNames');
    expect(line).toMatchObject({ level: 40, client: { names: ['system:node:worker-1'] } });
  });

  it('refuses health checks from that client as well', async () => {
    const r = await httpsRequest(`${p.running.url}/readyz`, { ca: p.certs.ca.certPem, cert: intruder.certPem, key: intruder.keyPem });
    expect(r.status).toBe(403);
  });

  it('does not let a wildcard certificate stand in for an allowed name', async () => {
    expect((await review(wildcard)).status).toBe(403);
  });

  it('refuses a client without a certificate at the TLS layer', async () => {
    await expect(httpsRequest(`${p.running.url}/validate`, { method: 'POST', body: fixtureText('pod-create.json'), ca: p.certs.ca.certPem }))
      .rejects.toThrow();
  });

  it('applies a changed allow-list without a restart', async () => {
    expect(await p.reconfigure(tlsConfig(['system:node:worker-1']))).toBe('applied');
    expect((await review(intruder)).status).toBe(200);
    expect((await review(apiServer)).status).toBe(403);
    expect(await p.reconfigure(tlsConfig(['kube-apiserver-webhook-client']))).toBe('applied');
    expect((await review(apiServer)).status).toBe(200);
  });
});
