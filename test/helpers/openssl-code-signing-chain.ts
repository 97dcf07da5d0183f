/**
 * Builds a root CA → intermediate CA → leaf code-signing chain with the `openssl` CLI, meeting
 * the Notary Project certificate requirements
 * (https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface CodeSigningChain {
  readonly keyPath: string;
  /** Leaf, intermediate, root (PEM), as notation's signingkeys.json `certPath` wants. */
  readonly chainPath: string;
  readonly rootPath: string;
  readonly leafPath: string;
  readonly leafSubject: string;
}

export type LeafKey = 'ec' | 'ec384' | 'ec521' | 'rsa' | 'rsa2048' | 'rsa4096';

const KEY_ARGS: Record<LeafKey, string[]> = {
  ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ec521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
};

export interface CodeSigningChainOptions {
  /**
   * Leaf key, which fixes the signature algorithm: `ec` = P-256 (ES256), `ec384` (ES384),
   * `ec521` (ES512), `rsa` = 3072 bits (PS384), `rsa2048` (PS256), `rsa4096` (PS512).
   */
  readonly key?: LeafKey;
  readonly leafDays?: number;
  readonly leafSubject?: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await exec('openssl', args, { cwd, timeout: 30_000 });
}

export async function createCodeSigningChain(dir: string, options: CodeSigningChainOptions = {}): Promise<CodeSigningChain> {
  const leafSubject = options.leafSubject ?? '/C=US/ST=WA/L=Seattle/O=Example/CN=release';
  writeFileSync(join(dir, 'ext.cnf'), [
    '[inter]', 'basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid',
    '[leaf]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=codeSigning', 'authorityKeyIdentifier=keyid',
    '',
  ].join('\n'));
  const keyArgs = (out: string, kind: LeafKey) => ['genpkey', ...KEY_ARGS[kind], '-out', out];
  await openssl(keyArgs('root.key', 'rsa2048'), dir);
  await openssl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/C=US/ST=WA/O=Example/CN=Example Root', '-days', '3650', '-sha384',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'root.crt'], dir);
  await openssl(keyArgs('inter.key', 'rsa2048'), dir);
  await openssl(['req', '-new', '-key', 'inter.key', '-subj', '/C=US/ST=WA/O=Example/CN=Example Intermediate', '-out', 'inter.csr'], dir);
  await openssl(['x509', '-req', '-in', 'inter.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '1825', '-sha384', '-extfile', 'ext.cnf', '-extensions', 'inter', '-out', 'inter.crt'], dir);
  await openssl(keyArgs('leaf.key', options.key ?? 'ec'), dir);
  await openssl(['req', '-new', '-key', 'leaf.key', '-subj', leafSubject, '-out', 'leaf.csr'], dir);
  await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'inter.crt', '-CAkey', 'inter.key', '-CAcreateserial', '-days', String(options.leafDays ?? 365), '-sha384', '-extfile', 'ext.cnf', '-extensions', 'leaf', '-out', 'leaf.crt'], dir);
  const chainPath = join(dir, 'chain.pem');
  writeFileSync(chainPath, ['leaf.crt', 'inter.crt', 'root.crt'].map((f) => readFileSync(join(dir, f), 'utf8')).join(''));
  return {
    keyPath: join(dir, 'leaf.key'),
    chainPath,
    rootPath: join(dir, 'root.crt'),
    leafPath: join(dir, 'leaf.crt'),
    leafSubject,
  };
}
