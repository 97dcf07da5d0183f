/**
 * A local PKI with real revocation services on loopback, all made and run by the `openssl` CLI:
 * root CA → intermediate CA → code-signing leaf whose certificate names an OCSP responder (AIA)
 * and a CRL distribution point on 127.0.0.1. `openssl ocsp` is the responder: OpenSSL 3.0's
 * `-port` binds every interface, so a small HTTP server on 127.0.0.1 takes each POSTed
 * request and has `openssl ocsp -index … -reqin … -respout …` answer it (signed by the
 * intermediate, the issuing CA); a second one serves the CRL `openssl ca -gencrl` made.
 * `revokeLeaf()` revokes the leaf in the CA database and republishes the CRL.
 * With `purpose: 'timeStamping'` the leaf is a TSA certificate (the critical timeStamping EKU
 * RFC 3161 §2.3 requires) for the local TSA (tsa-server.ts `signer`).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './registry-server.js';

const exec = promisify(execFile);

export type CrlForm = 'base' | 'delta' | 'indirect';

export interface RevocationPki {
  readonly dir: string;
  /** Leaf, intermediate, root (PEM), for notation's signingkeys.json. */
  readonly chainPath: string;
  readonly keyPath: string;
  readonly leafPath: string;
  /** Intermediate and root (PEM): the certificates a timestamp token carries beside the leaf. */
  readonly issuersPath: string;
  readonly rootPath: string;
  readonly ocspUrl: string;
  readonly crlUrl: string;
  /** host:port of the OCSP responder and of the CRL server. */
  readonly hosts: readonly string[];
  /** OCSP requests answered and CRL downloads served so far. */
  ocspRequests(): number;
  crlRequests(): number;
  revokeLeaf(): Promise<void>;
  /** Republishes the CRL at the distribution point as a base (default), delta or indirect CRL. */
  publishCrl(form?: CrlForm): Promise<void>;
  /** Stops the OCSP responder and the CRL server (the certificate still names them). */
  stopServices(): Promise<void>;
  startServices(): Promise<void>;
  close(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec('openssl', args, { cwd, timeout: 30_000 });
  return stdout;
}

/** `nextUpdateMinutes`: how far ahead OCSP responses and the CRL say their nextUpdate is. */
export async function createRevocationPki(dir: string, options: { nextUpdateMinutes?: number; purpose?: 'codeSigning' | 'timeStamping' } = {}): Promise<RevocationPki> {
  const minutes = options.nextUpdateMinutes ?? 10;
  const timeStamping = options.purpose === 'timeStamping';
  const [ocspPort, crlPort] = [await freePort(), await freePort()];
  const ocspUrl = `http://127.0.0.1:${ocspPort}/`;
  const crlUrl = `http://127.0.0.1:${crlPort}/intermediate.crl`;
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = inter',
    '[inter]', `database = ${join(dir, 'index.txt')}`, `crlnumber = ${join(dir, 'crlnumber')}`, 'default_md = sha256', `default_crl_hours = 0`, `default_crl_days = 1`,
    '[inter_ext]', 'basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid',
    '[leaf_ext]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', timeStamping ? 'extendedKeyUsage=critical,timeStamping' : 'extendedKeyUsage=codeSigning', 'authorityKeyIdentifier=keyid',
    `authorityInfoAccess=OCSP;URI:${ocspUrl}`, `crlDistributionPoints=URI:${crlUrl}`,
    // CRL forms Portcullis does not evaluate (publishCrl): a delta CRL (RFC 5280 §5.2.4, the
    // indicator as raw DER, which openssl's config has no name for) and an indirect CRL (§5.2.5).
    '[crl_delta]', '2.5.29.27 = critical, DER:02:01:01',
    '[crl_indirect]', 'issuingDistributionPoint = critical, @idp',
    '[idp]', `fullname = URI:${crlUrl}`, 'indirectCRL = TRUE',
    '',
  ].join('\n'));
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await openssl(['genpkey', ...ec, '-out', 'root.key'], dir);
  await openssl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/C=US/ST=WA/O=Revocation Test/CN=Revocation Root', '-days', '3650', '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.crt'], dir);
  await openssl(['genpkey', ...ec, '-out', 'inter.key'], dir);
  await openssl(['req', '-new', '-key', 'inter.key', '-subj', '/C=US/ST=WA/O=Revocation Test/CN=Revocation Intermediate', '-out', 'inter.csr'], dir);
  await openssl(['x509', '-req', '-in', 'inter.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-set_serial', '4096', '-days', '1825', '-sha256', '-extfile', 'ca.cnf', '-extensions', 'inter_ext', '-out', 'inter.crt'], dir);
  await openssl(['genpkey', ...ec, '-out', 'leaf.key'], dir);
  const subject = `/C=US/ST=WA/L=Seattle/O=Revocation Test/CN=${timeStamping ? 'revocable TSA' : 'revocable signer'}`;
  await openssl(['req', '-new', '-key', 'leaf.key', '-subj', subject, '-out', 'leaf.csr'], dir);
  await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'inter.crt', '-CAkey', 'inter.key', '-set_serial', '0x1234abcd', '-days', '30', '-sha256', '-extfile', 'ca.cnf', '-extensions', 'leaf_ext', '-out', 'leaf.crt'], dir);
  // The CA database `openssl ocsp -index` and `openssl ca -gencrl` read: one valid entry.
  const enddate = (await openssl(['x509', '-in', 'leaf.crt', '-noout', '-enddate', '-dateopt', 'iso_8601'], dir)).trim();
  const expiry = toDbTime(new Date(enddate.replace('notAfter=', '').replace(' ', 'T')));
  writeFileSync(join(dir, 'index.txt'), `V\t${expiry}\t\t1234ABCD\tunknown\t${subject}\n`);
  const chainPath = join(dir, 'chain.pem');
  writeFileSync(chainPath, ['leaf.crt', 'inter.crt', 'root.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join(''));
  const issuersPath = join(dir, 'issuers.pem');
  writeFileSync(issuersPath, ['inter.crt', 'root.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join(''));

  let crlRequests = 0;
  let ocspServer: Server | undefined;
  let crlServer: Server | undefined;
  let ocspRequests = 0;
  const gencrl = (form: CrlForm = 'base') => openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'inter.key', '-cert', 'inter.crt', '-crlhours', String(Math.max(1, Math.ceil(minutes / 60))),
    ...(form === 'base' ? [] : ['-crlexts', `crl_${form}`]), '-out', 'intermediate.crl.pem'], dir)
    .then(() => openssl(['crl', '-in', 'intermediate.crl.pem', '-outform', 'DER', '-out', 'intermediate.crl'], dir));

  const respond = async (request: Buffer): Promise<Buffer> => {
    const n = (ocspRequests += 1);
    writeFileSync(join(dir, `req-${n}.der`), request);
    await openssl(['ocsp', '-index', 'index.txt', '-CA', 'inter.crt', '-rsigner', 'inter.crt', '-rkey', 'inter.key', '-nmin', String(minutes), '-reqin', `req-${n}.der`, '-respout', `resp-${n}.der`], dir);
    return readFileSync(join(dir, `resp-${n}.der`));
  };
  const listen = (server: Server, port: number) => new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const close = (server: Server | undefined) => new Promise<void>((ok) => {
    if (!server) return ok();
    server.close(() => ok());
    server.closeAllConnections();
  });
  const startServices = async (): Promise<void> => {
    await gencrl();
    ocspServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        respond(Buffer.concat(chunks)).then(
          (body) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body),
          () => res.writeHead(500).end(),
        );
      });
    });
    crlServer = createServer((req, res) => {
      crlRequests += 1;
      if (req.url !== '/intermediate.crl') { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(readFileSync(join(dir, 'intermediate.crl')));
    });
    await listen(ocspServer, ocspPort);
    await listen(crlServer, crlPort);
  };
  const stopServices = async (): Promise<void> => {
    await close(ocspServer);
    await close(crlServer);
    ocspServer = undefined;
    crlServer = undefined;
  };
  await startServices();
  return {
    dir,
    chainPath,
    keyPath: join(dir, 'leaf.key'),
    leafPath: join(dir, 'leaf.crt'),
    issuersPath,
    rootPath: join(dir, 'root.crt'),
    ocspUrl,
    crlUrl,
    hosts: [`127.0.0.1:${ocspPort}`, `127.0.0.1:${crlPort}`],
    ocspRequests: () => ocspRequests,
    crlRequests: () => crlRequests,
    async revokeLeaf() {
      await openssl(['ca', '-config', 'ca.cnf', '-revoke', 'leaf.crt', '-keyfile', 'inter.key', '-cert', 'inter.crt', '-crl_reason', 'keyCompromise'], dir);
      await gencrl();
    },
    publishCrl: async (form) => { await gencrl(form); },
    stopServices,
    startServices,
    close: stopServices,
  };
}

/** openssl's CA database time: YYMMDDHHMMSSZ. */
function toDbTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}
