/**
 * The pure OCSP and CRL checks on real responses (from `openssl ocsp` and `openssl ca -gencrl`
 * of the local revocation PKI) and on hostile variations of them; and the HTTP fetcher's
 * bounds (size cap, no redirects, error statuses) against loopback servers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHttpRevocationFetcher } from '../../../../src/revocation/create-http-revocation-fetcher.js';
import { buildOcspRequest } from '../../../../src/verifiers/notation/revocation/build-ocsp-request.js';
import { readCertificateParts } from '../../../../src/verifiers/notation/revocation/certificate-parts.js';
import { checkCrl } from '../../../../src/verifiers/notation/revocation/check-crl.js';
import { checkOcspResponse } from '../../../../src/verifiers/notation/revocation/check-ocsp-response.js';
import { RevocationError } from '../../../../src/verifiers/notation/revocation/revocation-error.js';
import { createRevocationPki, type RevocationPki } from '../../../helpers/revocation-pki.js';

const exec = promisify(execFile);
let work: string;
let pki: RevocationPki;
let leaf: X509Certificate;
let inter: X509Certificate;
let root: X509Certificate;
let ocsp: { bytes: Uint8Array; request: ReturnType<typeof buildOcspRequest> };
let crl: Uint8Array;
const fetcher = createHttpRevocationFetcher();
const signal = () => AbortSignal.timeout(5000);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'revocation-responses-'));
  mkdirSync(join(work, 'pki'));
  pki = await createRevocationPki(join(work, 'pki'));
  const cert = (f: string) => new X509Certificate(readFileSync(join(pki.dir, f)));
  [leaf, inter, root] = [cert('leaf.crt'), cert('inter.crt'), cert('root.crt')];
  const request = buildOcspRequest(leaf, inter);
  ocsp = { request, bytes: await fetcher.fetch({ url: pki.ocspUrl, kind: 'ocsp', body: request.der, timeoutMs: 5000, maxBytes: 65536 }, signal()) };
  crl = await fetcher.fetch({ url: pki.crlUrl, kind: 'crl', timeoutMs: 5000, maxBytes: 1 << 20 }, signal());
}, 60_000);

afterAll(async () => {
  await pki?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const ocspCheck = (over: Partial<Parameters<typeof checkOcspResponse>[1]> = {}) => ({ certId: ocsp.request.certId, issuer: inter, nonce: ocsp.request.nonce, now: new Date(), maxAgeWithoutNextUpdateMs: 3600_000, ...over });
const crlCheck = (over: Partial<Parameters<typeof checkCrl>[1]> = {}) => ({ cert: readCertificateParts(leaf), issuer: inter, issuerParts: readCertificateParts(inter), now: new Date(), ...over });
const code = (run: () => unknown): string => {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!(err instanceof RevocationError)) throw err;
    return err.code;
  }
};

describe('checkOcspResponse on openssl ocsp answers', () => {
  it('reads the certificate as good, with the nextUpdate the responder set', () => {
    expect(checkOcspResponse(ocsp.bytes, ocspCheck())).toMatchObject({ status: 'good', nextUpdate: expect.any(Date) });
  });
  it('refuses it for another certificate (CertID) with MISMATCH', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ certId: buildOcspRequest(inter, root).certId })))).toBe('MISMATCH');
  });
  it('refuses a response whose nonce is not ours with MISMATCH (replay)', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ nonce: Buffer.alloc(16, 7) })))).toBe('MISMATCH');
  });
  it('refuses it when checked against another issuer (the intermediate it carries is no OCSP responder of the root)', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ issuer: root })))).toBe('UNTRUSTED_SIGNER');
  });
  it('refuses it past its nextUpdate with STALE', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ now: new Date(Date.now() + 24 * 3600_000) })))).toBe('STALE');
  });
  it('refuses a response whose thisUpdate is in the future, beyond the 5 min clock skew, with STALE', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ now: new Date(Date.now() - 4 * 60_000) })))).toBe('ok');
    expect(code(() => checkOcspResponse(ocsp.bytes, ocspCheck({ now: new Date(Date.now() - 10 * 60_000) })))).toBe('STALE');
  });
  it('accepts a response without nextUpdate only until ocspMaxAgeSeconds after its thisUpdate', async () => {
    // `openssl ocsp` without -nmin/-ndays sets no nextUpdate.
    writeFileSync(join(pki.dir, 'no-next.req'), ocsp.request.der);
    await exec('openssl', ['ocsp', '-index', 'index.txt', '-CA', 'inter.crt', '-rsigner', 'inter.crt', '-rkey', 'inter.key', '-reqin', 'no-next.req', '-respout', 'no-next.der'], { cwd: pki.dir, timeout: 30_000 });
    const bytes = readFileSync(join(pki.dir, 'no-next.der'));
    const status = checkOcspResponse(bytes, ocspCheck({ maxAgeWithoutNextUpdateMs: 3600_000 }));
    expect(status).toMatchObject({ status: 'good' });
    expect(status.nextUpdate).toBeUndefined();
    expect(code(() => checkOcspResponse(bytes, ocspCheck({ now: new Date(Date.now() + 2 * 3600_000), maxAgeWithoutNextUpdateMs: 3600_000 })))).toBe('STALE');
  });
  it('refuses truncated bytes as MALFORMED', () => {
    expect(code(() => checkOcspResponse(ocsp.bytes.subarray(0, ocsp.bytes.length - 5), ocspCheck()))).toBe('MALFORMED');
  });
  it('refuses each of 300 single-byte mutations, or (in the unsigned certs field) reads the same status; never throws anything else', () => {
    const original = JSON.stringify(checkOcspResponse(ocsp.bytes, ocspCheck()));
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(ocsp.bytes);
      bytes[(i * 7919) % bytes.length]! ^= 1 + (i % 255);
      let read: string | undefined;
      if (code(() => (read = JSON.stringify(checkOcspResponse(bytes, ocspCheck())))) !== 'ok') refused += 1;
      else expect(read).toBe(original);
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('checkCrl on an openssl ca -gencrl CRL', () => {
  it('finds the leaf not listed: good until the CRL nextUpdate', () => {
    expect(checkCrl(crl, crlCheck())).toMatchObject({ status: 'good', nextUpdate: expect.any(Date) });
  });
  it('refuses it when checked against another issuer with SIGNATURE_INVALID', () => {
    expect(code(() => checkCrl(crl, crlCheck({ issuer: root })))).toBe('SIGNATURE_INVALID');
  });
  it('refuses it for a certificate of another issuer with MISMATCH', () => {
    expect(code(() => checkCrl(crl, crlCheck({ cert: readCertificateParts(inter) })))).toBe('MISMATCH');
  });
  it('refuses it past its nextUpdate with STALE', () => {
    expect(code(() => checkCrl(crl, crlCheck({ now: new Date(Date.now() + 3 * 24 * 3600_000) })))).toBe('STALE');
  });
  it('refuses every one of 300 single-byte mutations, never throwing anything else', () => {
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(crl);
      bytes[(i * 7919) % bytes.length]! ^= 1 + (i % 255);
      if (code(() => checkCrl(bytes, crlCheck())) !== 'ok') refused += 1;
    }
    expect(refused).toBe(300);
  });
});

describe('the HTTP revocation fetcher', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') res.writeHead(200).end(Buffer.alloc(200_000));
      else if (req.url === '/chunked') { res.writeHead(200); for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000)); res.end(); }
      else if (req.url === '/redirect') res.writeHead(302, { location: pki.crlUrl }).end();
      else res.writeHead(503).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { server.closeAllConnections(); await new Promise((ok) => server.close(ok)); });

  const get = (path: string, maxBytes = 65536) => fetcher.fetch({ url: `${base}${path}`, kind: 'crl', timeoutMs: 2000, maxBytes }, signal());

  it('refuses a body over maxBytes, by Content-Length or while streaming', async () => {
    await expect(get('/big')).rejects.toMatchObject({ code: 'FETCH_FAILED', message: expect.stringContaining('over the limit') });
    await expect(get('/chunked')).rejects.toMatchObject({ code: 'FETCH_FAILED', message: expect.stringContaining('over the limit') });
  });
  it('does not follow redirects', async () => {
    await expect(get('/redirect')).rejects.toMatchObject({ message: 'HTTP 302' });
  });
  it('refuses an error status', async () => {
    await expect(get('/down')).rejects.toMatchObject({ message: 'HTTP 503' });
  });
  it('refuses schemes other than http(s)', async () => {
    await expect(fetcher.fetch({ url: 'file:///etc/passwd', kind: 'crl', timeoutMs: 1000, maxBytes: 1024 }, signal())).rejects.toMatchObject({ code: 'FETCH_FAILED' });
  });
});
