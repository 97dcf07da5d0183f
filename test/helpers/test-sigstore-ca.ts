/**
 * A private Sigstore instance for tests: a Fulcio-like CA (openssl-issued ECDSA certificates with
 * the Fulcio OIDC-issuer extensions), a Rekor-like log key that signs SignedEntryTimestamps, and
 * the `trusted_root.json` that trusts both. Lets tests build keyless Cosign signatures offline.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LeafOptions {
  /** e-mail address or URI placed in the SAN. */
  readonly san: string;
  /** OIDC issuer, written to both Fulcio extensions (1.3.6.1.4.1.57264.1.1 and .1.8). */
  readonly issuer: string;
}

export interface TestLeaf {
  readonly certPem: string;
  readonly privateKey: KeyObject;
}

export interface RekorEntryOptions {
  readonly payload: Buffer;
  readonly signature: Buffer;
  /** PEM of the certificate or public key that made the signature (goes in the entry body). */
  readonly verifierPem: string;
  /** Seconds since the epoch; default: now (+2 s, so it is inside a just-issued certificate's validity). */
  readonly integratedTime?: number;
  readonly logIndex?: number;
  /** Sign the SET with this key instead of the trusted log key (a forged SET). */
  readonly signWith?: KeyObject;
}

export interface TestSigstoreCa {
  /** `trusted_root.json` bytes trusting this CA, log and timestamp authority (no CT logs). */
  readonly trustedRootJson: Buffer;
  readonly caCertPem: string;
  issueLeaf(options: LeafOptions): TestLeaf;
  /** The value of Cosign's `dev.sigstore.cosign/bundle` annotation for a hashedrekord entry. */
  rekorBundleAnnotation(options: RekorEntryOptions): string;
  /** A DER RFC 3161 TimeStampResp over `data` from this instance's TSA (`openssl ts -reply`). */
  timestamp(data: Buffer): Buffer;
  /** Serves the TSA over HTTP on loopback (RFC 3161 §3.4: POST a TimeStampReq, get a TimeStampResp). */
  serveTimestamps(): Promise<{ readonly url: string; close(): Promise<void> }>;
}

function ecKeyPair(curve: 'prime256v1' | 'secp384r1'): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

function der(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

export function createTestSigstoreCa(): TestSigstoreCa {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-sigstore-'));
  const ca = ecKeyPair('secp384r1');
  writeFileSync(join(dir, 'ca.key'), ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = portcullis-test', 'CN = test-fulcio',
      '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
    ].join('\n'),
  );
  execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'ca.key'), '-config', join(dir, 'ca.cnf'), '-extensions', 'v3_ca', '-days', '3650', '-sha384', '-out', join(dir, 'ca.pem')], { stdio: 'pipe' });
  const caCertPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const caDer = Buffer.from(caCertPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

  // A timestamp authority: its own root, and a leaf with the critical timeStamping EKU (RFC 3161 §2.3).
  const tsaRoot = ecKeyPair('prime256v1');
  const tsaLeaf = ecKeyPair('prime256v1');
  writeFileSync(join(dir, 'tsa-root.key'), tsaRoot.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'tsa.key'), tsaLeaf.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = portcullis-test', 'CN = test-tsa',
      '[v3_ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
      '[tsa_leaf]', 'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = critical, timeStamping',
      'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid',
      '[tsa]', 'default_tsa = tsa_config', '[tsa_config]', `serial = ${join(dir, 'tsa-serial')}`, 'crypto_device = builtin',
      `signer_cert = ${join(dir, 'tsa.pem')}`, `certs = ${join(dir, 'tsa-root.pem')}`, `signer_key = ${join(dir, 'tsa.key')}`,
      'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256', 'accuracy = secs:1', 'ordering = no',
      'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'tsa-serial'), '01\n');
  execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'tsa-root.key'), '-config', join(dir, 'tsa.cnf'), '-extensions', 'v3_ca', '-subj', '/O=portcullis-test/CN=test-tsa-root', '-days', '3650', '-out', join(dir, 'tsa-root.pem')], { stdio: 'pipe' });
  execFileSync('openssl', ['req', '-new', '-key', join(dir, 'tsa.key'), '-config', join(dir, 'tsa.cnf'), '-out', join(dir, 'tsa.csr')], { stdio: 'pipe' });
  execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'tsa.csr'), '-CA', join(dir, 'tsa-root.pem'), '-CAkey', join(dir, 'tsa-root.key'), '-set_serial', '7', '-days', '3650', '-extfile', join(dir, 'tsa.cnf'), '-extensions', 'tsa_leaf', '-out', join(dir, 'tsa.pem')], { stdio: 'pipe' });
  const pemToDer = (file: string) => Buffer.from(readFileSync(join(dir, file), 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

  const rekor = ecKeyPair('prime256v1');
  const logId = createHash('sha256').update(der(rekor.publicKey)).digest();
  const start = '2020-01-01T00:00:00Z';
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: 'https://rekor.test.invalid',
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: der(rekor.publicKey).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: logId.toString('base64') },
    }],
    certificateAuthorities: [{
      subject: { organization: 'portcullis-test', commonName: 'test-fulcio' },
      uri: 'https://fulcio.test.invalid',
      certChain: { certificates: [{ rawBytes: caDer.toString('base64') }] },
      validFor: { start },
    }],
    ctlogs: [],
    timestampAuthorities: [{
      subject: { organization: 'portcullis-test', commonName: 'test-tsa' },
      uri: 'https://tsa.test.invalid',
      certChain: { certificates: [{ rawBytes: pemToDer('tsa.pem').toString('base64') }, { rawBytes: pemToDer('tsa-root.pem').toString('base64') }] },
      validFor: { start },
    }],
  };

  let serial = 1;
  const issueLeaf = ({ san, issuer }: LeafOptions): TestLeaf => {
    const n = serial++;
    const leaf = ecKeyPair('prime256v1');
    const keyFile = join(dir, `leaf${n}.key`);
    writeFileSync(keyFile, leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const sanValue = san.includes('@') && !san.includes('://') ? `email:${san}` : `URI:${san}`;
    writeFileSync(
      join(dir, `leaf${n}.cnf`),
      [
        '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = sigstore.dev',
        '[leaf]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = codeSigning',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        `subjectAltName = critical, ${sanValue}`,
        // Fulcio v1 issuer extension: the raw string; v2 (.1.8): a DER UTF8String.
        `1.3.6.1.4.1.57264.1.1 = DER:${Buffer.from(issuer, 'utf8').toString('hex')}`,
        `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${issuer}`,
      ].join('\n'),
    );
    const csr = join(dir, `leaf${n}.csr`);
    execFileSync('openssl', ['req', '-new', '-key', keyFile, '-config', join(dir, `leaf${n}.cnf`), '-out', csr], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-set_serial', String(1000 + n), '-days', '1', '-sha384', '-extfile', join(dir, `leaf${n}.cnf`), '-extensions', 'leaf', '-out', join(dir, `leaf${n}.pem`)], { stdio: 'pipe' });
    return { certPem: readFileSync(join(dir, `leaf${n}.pem`), 'utf8'), privateKey: leaf.privateKey };
  };

  const rekorBundleAnnotation = (o: RekorEntryOptions): string => {
    const body = Buffer.from(
      JSON.stringify({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(o.payload).digest('hex') } },
          signature: { content: o.signature.toString('base64'), publicKey: { content: Buffer.from(o.verifierPem).toString('base64') } },
        },
      }),
    ).toString('base64');
    const integratedTime = o.integratedTime ?? Math.floor(Date.now() / 1000) + 2;
    const logIndex = o.logIndex ?? 42;
    // The SET signs the canonical JSON of these four fields (keys in lexical order).
    const setPayload = JSON.stringify({ body, integratedTime, logID: logId.toString('hex'), logIndex });
    const set = sign('sha256', Buffer.from(setPayload), o.signWith ?? rekor.privateKey);
    return JSON.stringify({ SignedEntryTimestamp: set.toString('base64'), Payload: { body, integratedTime, logIndex, logID: logId.toString('hex') } });
  };

  let stamps = 0;
  const timestamp = (data: Buffer): Buffer => {
    const n = stamps++;
    writeFileSync(join(dir, `ts${n}.data`), data);
    execFileSync('openssl', ['ts', '-query', '-data', join(dir, `ts${n}.data`), '-sha256', '-cert', '-no_nonce', '-out', join(dir, `ts${n}.tsq`)], { stdio: 'pipe' });
    execFileSync('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', join(dir, `ts${n}.tsq`), '-out', join(dir, `ts${n}.tsr`)], { stdio: 'pipe' });
    return readFileSync(join(dir, `ts${n}.tsr`));
  };

  const reply = (query: Buffer): Buffer => {
    const n = stamps++;
    writeFileSync(join(dir, `ts${n}.tsq`), query);
    execFileSync('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', join(dir, `ts${n}.tsq`), '-out', join(dir, `ts${n}.tsr`)], { stdio: 'pipe' });
    return readFileSync(join(dir, `ts${n}.tsr`));
  };

  const serveTimestamps = async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 16 * 1024) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        try {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply(Buffer.concat(chunks)));
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${address.port}/`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };

  return { trustedRootJson: Buffer.from(JSON.stringify(trustedRoot)), caCertPem, issueLeaf, rekorBundleAnnotation, timestamp, serveTimestamps };
}
