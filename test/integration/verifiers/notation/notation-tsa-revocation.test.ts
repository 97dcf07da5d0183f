/**
 * Revocation of the timestamping chain (Notary Project trust store and trust policy spec,
 * "Certificate revocation evaluation": the TSA's chain is checked as well as the signing
 * chain). The local TSA (openssl ts) signs with a certificate from an openssl PKI whose leaf
 * names an OCSP responder (`openssl ocsp`) and a CRL distribution point on loopback; the image
 * is signed by the real notation CLI with `--timestamp-url`. The signing chain is a
 * self-signed `notation cert generate-test` certificate, which publishes nothing: every
 * revocation outcome below is the TSA's. Once the TSA certificate is revoked, strict denies
 * with REVOKED, permissive and audit only log it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import type { Descriptor } from '../../../../src/oci/types.js';
import { revocationPorts } from '../../../../src/revocation/revocation-ports.js';
import { createNotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { VerifierResult } from '../../../../src/verifiers/verifier.js';
import { createOciLayoutImage } from '../../../helpers/create-oci-layout-image.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { readOciLayout, type OciLayout } from '../../../helpers/oci-layout.js';
import { createRevocationPki, type RevocationPki } from '../../../helpers/revocation-pki.js';
import { startTsaServer, type TsaServer } from '../../../helpers/tsa-server.js';

let work: string;
let cli: NotationCli;
let pki: RevocationPki;
let tsa: TsaServer;
let layout: OciLayout;
let image: Descriptor;
let signerCert: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'notation-tsa-revocation-'));
  mkdirSync(join(work, 'pki'));
  pki = await createRevocationPki(join(work, 'pki'), { purpose: 'timeStamping' });
  tsa = await startTsaServer({ signer: { certPath: pki.leafPath, keyPath: pki.keyPath, issuersPath: pki.issuersPath, rootCertPath: pki.rootPath } });
  cli = createNotationCli();
  await cli.run(['cert', 'generate-test', '--default', 'signer']);
  signerCert = join(cli.configDir, 'localkeys', 'signer.crt');
  // Both certificates' notBefore is "now" to the second and a timestamp's range is genTime ± 1 s:
  // wait, so that range lies inside their validity.
  await new Promise((ok) => setTimeout(ok, 2100));
  const layoutDir = join(work, 'layout');
  image = createOciLayoutImage(layoutDir, 'app');
  await cli.run(['sign', '--oci-layout', `${layoutDir}:app`, '--key', 'signer', '--timestamp-url', tsa.url, '--timestamp-root-cert', pki.rootPath]);
  layout = readOciLayout(layoutDir);
}, 120_000);

afterAll(async () => {
  await tsa?.close();
  await pki?.close();
  cli?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

type Level = 'strict' | 'permissive' | 'audit';
// Each case runs a real openssl OCSP responder round trip; a loaded 2-core CI machine can take
// seconds, so the cases get room beyond jest's 5 s default (the verifier's own deadline is 10 s).
const IT_TIMEOUT_MS = 30_000;

function verifier(level: Level = 'strict') {
  return createNotationVerifier({
    name: 'release', type: 'notation', watch: false,
    trustStores: { ca: { signer: [signerCert] }, tsa: { local: [pki.rootPath] } },
    trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level }, trustStores: ['ca:signer', 'tsa:local'], trustedIdentities: ['*'] }] },
    revocation: { fetch: true, allowedHosts: pki.hosts, ocspTimeoutMs: 5000, crlTimeoutMs: 5000 },
  }, 'verifiers[0]', { baseDir: work, logger: silentLogger(), ...revocationPorts() });
}

async function verify(level: Level = 'strict'): Promise<VerifierResult> {
  const subject = layout.subject(image, 'registry.example', 'team/app');
  const [signature] = layout.referrers(image.digest);
  return (await verifier(level)).verify(subject, signature!, { signal: AbortSignal.timeout(10_000), now: new Date(), nested: [] });
}

const revocationCheck = (r: VerifierResult) => (r.details.checks as Array<{ name: string; outcome: string; message: string }>).find((c) => c.name === 'revocation');
const statuses = (r: VerifierResult) => (r.details.revocation as Array<{ chain: string; subject: string; status: string; source?: string }>).map((c) => [c.chain, c.subject.replace(/,.*/, ''), c.status, c.source ?? null]);

describe('revocation of the timestamping chain (local TSA whose certificate names OCSP and a CRL on loopback)', () => {
  it('strict: the TSA certificate is good by OCSP; the TSA intermediate publishes nothing; the roots are not checked', async () => {
    const r = await verify();
    expect(r).toMatchObject({ valid: true, details: { timestamp: { tsa: expect.stringContaining('CN=revocable TSA') } } });
    expect(statuses(r)).toEqual([
      ['signing', 'CN=signer', 'root', null],
      ['timestamping', 'CN=Revocation Root', 'root', null],
      ['timestamping', 'CN=Revocation Intermediate', 'notPublished', null],
      ['timestamping', 'CN=revocable TSA', 'good', 'ocsp'],
    ]);
    expect(revocationCheck(r)).toMatchObject({ outcome: 'pass', message: '1 certificate(s) checked: not revoked' });
  }, IT_TIMEOUT_MS);

  describe('with the TSA certificate revoked (keyCompromise)', () => {
    beforeAll(async () => { await pki.revokeLeaf(); }, 60_000);

    it('strict: denied with REVOKED, naming the timestamping certificate', async () => {
      const r = await verify('strict');
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOKED' } });
      expect(r.error!.message).toMatch(/^timestamping certificate "CN=revocable TSA.*" is revoked \(ocsp, keyCompromise, since /);
      expect(statuses(r)).toContainEqual(['timestamping', 'CN=revocable TSA', 'revoked', 'ocsp']);
    }, IT_TIMEOUT_MS);

    it.each<Level>(['permissive', 'audit'])('%s: valid, the revocation logged', async (level) => {
      const r = await verify(level);
      expect(r.valid).toBe(true);
      expect(revocationCheck(r)).toMatchObject({ outcome: 'logged', message: expect.stringContaining('timestamping certificate "CN=revocable TSA') });
      expect(r.message).toContain('logged: revocation: timestamping certificate');
    }, IT_TIMEOUT_MS);

    it('strict, with the OCSP responder and CRL server down: REVOCATION_UNKNOWN for the TSA certificate', async () => {
      await pki.stopServices();
      try {
        const r = await verify('strict');
        expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
        expect(r.error!.message).toMatch(/^revocation status of timestamping certificate "CN=revocable TSA.*" cannot be determined: OCSP .*; CRL /);
      } finally {
        await pki.startServices();
      }
    }, IT_TIMEOUT_MS);
  });
});
