/**
 * The certificate requirements of the Notary Project signature specification, on chains built
 * here with node-forge (keys from node:crypto) so each rule can be broken on its own.
 */
import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { validateCertificateChain } from '../../../../src/verifiers/notation/x509/validate-certificate-chain.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: privateKey, pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string) };
};
const rootKeys = pair();
const interKeys = pair();
const leafKeys = pair();
const YEAR = 365 * 24 * 3600 * 1000;
const T0 = new Date('2026-01-01T00:00:00Z');

type Ext = Record<string, unknown>;
/** forge builds the TBSCertificate; node:crypto signs it (forge's pure-JS RSA is far too slow). */
function cert(cn: string, keys: { pub: forge.pki.PublicKey }, issuer: { cn: string; priv: KeyObject }, extensions: Ext[], serial: string): X509Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = keys.pub;
  c.serialNumber = serial;
  c.validity.notBefore = new Date(T0.getTime() - YEAR);
  c.validity.notAfter = new Date(T0.getTime() + YEAR);
  c.setSubject([{ shortName: 'C', value: 'US' }, { shortName: 'O', value: 'Example' }, { shortName: 'CN', value: cn }]);
  c.setIssuer([{ shortName: 'C', value: 'US' }, { shortName: 'O', value: 'Example' }, { shortName: 'CN', value: issuer.cn }]);
  c.setExtensions(extensions);
  const withSig = c as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1; signatureOid: string; signature: string };
  c.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  withSig.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  // getTBSCertificate exists in node-forge but is missing from its type definitions.
  withSig.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(c);
  const tbs = Buffer.from(forge.asn1.toDer(withSig.tbsCertificate).getBytes(), 'binary');
  withSig.signature = sign('sha256', tbs, issuer.priv).toString('binary');
  return new X509Certificate(forge.pki.certificateToPem(c));
}

const CA_EXT = (pathLen?: number): Ext[] => [
  { name: 'basicConstraints', cA: true, critical: true, ...(pathLen === undefined ? {} : { pathLenConstraint: pathLen }) },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];
const LEAF_EXT: Ext[] = [
  { name: 'basicConstraints', cA: false, critical: true },
  { name: 'keyUsage', digitalSignature: true, critical: true },
  { name: 'extKeyUsage', codeSigning: true },
];
const root = cert('Root', rootKeys, { cn: 'Root', priv: rootKeys.priv }, CA_EXT(), '01');
const inter = cert('Inter', interKeys, { cn: 'Root', priv: rootKeys.priv }, CA_EXT(0), '02');
const leaf = (ext: Ext[] = LEAF_EXT) => cert('Leaf', leafKeys, { cn: 'Inter', priv: interKeys.priv }, ext, '03');
const validate = (chain: X509Certificate[], at: Date = T0) => () => validateCertificateChain(chain, { purpose: 'codeSigning', at });

describe('validateCertificateChain', () => {
  it('accepts root → intermediate → leaf meeting every requirement', () => {
    expect(validate([leaf(), inter, root])).not.toThrow();
  });
  it('accepts a leaf without extended key usage', () => {
    expect(validate([leaf(LEAF_EXT.slice(0, 2)), inter, root])).not.toThrow();
  });
  it.each([
    ['a leaf that is a CA', [{ name: 'basicConstraints', cA: true, critical: true }, LEAF_EXT[1]!, LEAF_EXT[2]!], /must not be a CA/],
    ['a leaf without key usage', [LEAF_EXT[0]!, LEAF_EXT[2]!], /key usage extension must be present/],
    ['a leaf whose key usage is not critical', [LEAF_EXT[0]!, { name: 'keyUsage', digitalSignature: true }, LEAF_EXT[2]!], /must be critical/],
    ['a leaf without digitalSignature', [LEAF_EXT[0]!, { name: 'keyUsage', keyEncipherment: true, critical: true }, LEAF_EXT[2]!], /digitalSignature/],
    ['a leaf with keyCertSign', [LEAF_EXT[0]!, { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true }, LEAF_EXT[2]!], /keyCertSign or cRLSign/],
    ['a leaf with the serverAuth EKU', [LEAF_EXT[0]!, LEAF_EXT[1]!, { name: 'extKeyUsage', codeSigning: true, serverAuth: true }], /serverAuth/],
    ['a leaf with the timeStamping EKU', [LEAF_EXT[0]!, LEAF_EXT[1]!, { name: 'extKeyUsage', timeStamping: true }], /timeStamping/],
  ])('refuses %s', (_name, ext, why) => {
    expect(validate([leaf(ext as Ext[]), inter, root])).toThrow(expect.objectContaining({ code: 'INVALID_CERTIFICATE_CHAIN', message: expect.stringMatching(why) }));
  });
  it('refuses an intermediate that is not a CA', () => {
    const notCa = cert('Inter', interKeys, { cn: 'Root', priv: rootKeys.priv }, [{ name: 'keyUsage', keyCertSign: true, critical: true }], '04');
    expect(validate([leaf(), notCa, root])).toThrow(/cA true/);
  });
  it('refuses a path longer than a CA allows', () => {
    // Root with pathLen 0 above an intermediate CA: one CA under it is one too many.
    const strictRoot = cert('Root', rootKeys, { cn: 'Root', priv: rootKeys.priv }, CA_EXT(0), '05');
    expect(validate([leaf(), inter, strictRoot])).toThrow(/path length constraint 0/);
  });
  it('refuses a chain out of order or missing its root', () => {
    expect(validate([leaf(), root, inter])).toThrow(/not issued by|self-signed/);
    expect(validate([leaf(), inter])).toThrow(/not self-signed/);
  });
  it('refuses a certificate that was not valid at the signing time', () => {
    expect(validate([leaf(), inter, root], new Date(T0.getTime() + 2 * YEAR))).toThrow(/was not valid at/);
  });
});
