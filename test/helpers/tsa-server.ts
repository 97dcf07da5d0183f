/**
 * A local RFC 3161 Time-Stamp Authority: `openssl ts -reply` behind a small node HTTP handler
 * (RFC 3161 §3.4, "Time-Stamp Protocol via HTTP": POST application/timestamp-query, answer
 * application/timestamp-reply). Its root CA and TSA certificate are generated with openssl;
 * the TSA certificate has the critical timeStamping EKU RFC 3161 §2.3 requires. With `signer`,
 * the TSA signs with a given certificate and key instead (e.g. one from revocation-pki.ts whose
 * certificate names an OCSP responder and a CRL on loopback).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const MAX_QUERY_BYTES = 16 * 1024;

export interface TsaServer {
  readonly url: string;
  /** PEM of the TSA's root CA: `--timestamp-root-cert` and the `tsa` trust store. */
  readonly rootCertPath: string;
  /** Number of timestamps issued. */
  readonly issued: () => number;
  close(): Promise<void>;
}

export interface TsaSigner {
  readonly certPath: string;
  readonly keyPath: string;
  /** The issuing certificates (PEM) put into each token, root last. */
  readonly issuersPath: string;
  readonly rootCertPath: string;
}

export async function startTsaServer(options: { signer?: TsaSigner } = {}): Promise<TsaServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tsa-'));
  const ossl = (args: string[]) => exec('openssl', args, { cwd: dir, timeout: 30_000 });
  const signer = options.signer ?? await generateSigner(dir, ossl);
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'ts.cnf'), [
    '[tsa]', 'default_tsa = tsa_config', '[tsa_config]',
    `serial = ${join(dir, 'serial')}`, 'crypto_device = builtin',
    `signer_cert = ${signer.certPath}`, `certs = ${signer.issuersPath}`, `signer_key = ${signer.keyPath}`,
    'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256, sha384, sha512',
    'accuracy = secs:1', 'ordering = no', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));

  let count = 0;
  let seq = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_QUERY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const n = ++seq;
      const q = join(dir, `q${n}.tsq`);
      const r = join(dir, `r${n}.tsr`);
      writeFileSync(q, Buffer.concat(chunks));
      exec('openssl', ['ts', '-reply', '-config', join(dir, 'ts.cnf'), '-queryfile', q, '-out', r], { timeout: 30_000 })
        .then(() => {
          count++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(r));
        })
        .catch((e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    rootCertPath: signer.rootCertPath,
    issued: () => count,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        ok();
      });
    }),
  };
}

/** A root CA and a TSA certificate it issued, made with openssl in `dir`. */
async function generateSigner(dir: string, ossl: (args: string[]) => Promise<unknown>): Promise<TsaSigner> {
  writeFileSync(join(dir, 'ext.cnf'), '[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  await ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'root.key']);
  await ossl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/C=US/O=Portcullis Test/CN=Test TSA Root', '-days', '3650', '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.crt']);
  await ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'tsa.key']);
  await ossl(['req', '-new', '-key', 'tsa.key', '-subj', '/C=US/O=Portcullis Test/CN=Test TSA', '-out', 'tsa.csr']);
  await ossl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', 'ext.cnf', '-extensions', 'tsa', '-out', 'tsa.crt']);
  return { certPath: join(dir, 'tsa.crt'), keyPath: join(dir, 'tsa.key'), issuersPath: join(dir, 'root.crt'), rootCertPath: join(dir, 'root.crt') };
}
