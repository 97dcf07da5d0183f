import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, type KeyPairPem, type ValidityOptions } from './create-ca.js';
import { issueCert } from './issue-cert.js';

/** Names the serving certificate always carries, so local clients and tests can connect. */
export const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export interface CertSet {
  readonly ca: KeyPairPem;
  readonly server: KeyPairPem;
  readonly client: KeyPairPem;
}

/** A CA, a serving certificate for `dns` (plus LOCAL_NAMES) and a client certificate. */
export function generateCertSet(options: ValidityOptions & { dns?: readonly string[] } = {}): CertSet {
  const { dns = [], ...validity } = options;
  const ca = createCa(validity);
  const server = issueCert(ca, { ...validity, usage: 'server', commonName: dns[0] ?? 'localhost', altNames: [...dns, ...LOCAL_NAMES] });
  const client = issueCert(ca, { ...validity, usage: 'client', commonName: 'portcullis-client' });
  return { ca: { certPem: ca.certPem, keyPem: ca.keyPem }, server, client };
}

/** The files `certs generate` writes, relative to its `--out` directory. */
export const CERT_FILES = {
  caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key', clientCert: 'client.crt', clientKey: 'client.key',
} as const;

/** Writes the set into `dir` (created if needed); private keys get mode 0600. */
export async function writeCertSet(dir: string, set: CertSet): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string, number]> = [
    [CERT_FILES.caCert, set.ca.certPem, 0o644],
    [CERT_FILES.caKey, set.ca.keyPem, 0o600],
    [CERT_FILES.cert, set.server.certPem, 0o644],
    [CERT_FILES.key, set.server.keyPem, 0o600],
    [CERT_FILES.clientCert, set.client.certPem, 0o644],
    [CERT_FILES.clientKey, set.client.keyPem, 0o600],
  ];
  const written: string[] = [];
  for (const [name, pem, mode] of files) {
    const path = join(dir, name);
    await writeFile(path, pem, { mode });
    await chmod(path, mode); // writeFile's mode applies only when it creates the file
    written.push(path);
  }
  return written;
}
