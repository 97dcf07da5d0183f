/**
 * Reads and checks TLS material before it is served (SPEC "TLS"): the certificate chain
 * parses, the key parses and matches the leaf, the leaf is inside its validity window, and the
 * client CA bundle (mTLS) parses. Anything else is refused with a TlsError.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { TlsError } from './tls-error.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCAFile: string | null;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** PEM bundle of client CAs; present when mTLS is on. */
  readonly ca: Buffer | undefined;
  readonly certNotAfter: Date;
  /** Earliest notAfter among the client CAs. */
  readonly clientCaNotAfter: Date | undefined;
  /** sha256 over the three files' bytes: equal means nothing to reload. */
  readonly fingerprint: string;
  readonly subject: string;
}

// Serving material is small; anything bigger is not a certificate file.
const MAX_FILE_BYTES = 1024 * 1024;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A serving pair held in memory (self-managed certificates) instead of read from files. */
export interface ServingPairSource {
  (): { readonly cert: Buffer; readonly key: Buffer } | undefined;
}

/**
 * Reads and checks the files; with `serving`, the pair comes from it (docs/self-managed-certs.md)
 * and only the client CA file is read.
 */
export async function loadTlsMaterial(files: TlsFiles, now: Date = new Date(), serving?: ServingPairSource): Promise<TlsMaterial> {
  const held = serving?.();
  if (serving && !held) throw new TlsError('READ_FAILED', 'no self-managed serving certificate yet');
  const [cert, key, ca] = await Promise.all([
    held ? held.cert : read(files.certFile), held ? held.key : read(files.keyFile), files.clientCAFile ? read(files.clientCAFile) : Promise.resolve(undefined),
  ]);
  return checkTlsMaterial({ cert, key, ca }, now);
}

/** The checks of loadTlsMaterial on bytes already read. */
export function checkTlsMaterial(input: { cert: Buffer; key: Buffer; ca: Buffer | undefined }, now: Date = new Date()): TlsMaterial {
  const chain = parseCertificates(input.cert, 'BAD_CERTIFICATE', 'serving certificate');
  const leaf = chain[0] as X509Certificate;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(input.key);
  } catch (cause) {
    throw new TlsError('BAD_KEY', `private key does not parse: ${(cause as Error).message}`, { cause });
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsError('KEY_MISMATCH', `private key does not match certificate ${leaf.subject.replaceAll('\n', ', ')}`);
  }
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (now.getTime() > notAfter.getTime()) throw new TlsError('EXPIRED', `certificate expired at ${notAfter.toISOString()}`);
  if (now.getTime() < notBefore.getTime()) throw new TlsError('NOT_YET_VALID', `certificate is valid only from ${notBefore.toISOString()}`);

  let clientCaNotAfter: Date | undefined;
  if (input.ca) {
    const cas = parseCertificates(input.ca, 'BAD_CLIENT_CA', 'client CA bundle');
    for (const c of cas) {
      if (!c.ca) throw new TlsError('BAD_CLIENT_CA', `client CA ${c.subject.replaceAll('\n', ', ')} is not a CA certificate`);
      const t = new Date(c.validTo);
      if (!clientCaNotAfter || t < clientCaNotAfter) clientCaNotAfter = t;
    }
  }
  try {
    // Last word: OpenSSL itself accepts the combination.
    createSecureContext({ cert: input.cert, key: input.key, ca: input.ca });
  } catch (cause) {
    throw new TlsError('BAD_CERTIFICATE', `TLS material rejected by OpenSSL: ${(cause as Error).message}`, { cause });
  }
  const fingerprint = createHash('sha256').update(input.cert).update('\0').update(input.key).update('\0').update(input.ca ?? '').digest('hex');
  return { cert: input.cert, key: input.key, ca: input.ca, certNotAfter: notAfter, clientCaNotAfter, fingerprint, subject: leaf.subject.replaceAll('\n', ', ') };
}

function parseCertificates(pem: Buffer, code: 'BAD_CERTIFICATE' | 'BAD_CLIENT_CA', what: string): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new TlsError(code, `${what} holds no PEM certificate`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch (cause) {
      throw new TlsError(code, `${what} does not parse: ${(cause as Error).message}`, { cause });
    }
  });
}

async function read(path: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (cause) {
    throw new TlsError('READ_FAILED', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (data.length > MAX_FILE_BYTES) throw new TlsError('READ_FAILED', `${path} is larger than ${MAX_FILE_BYTES} bytes`);
  return data;
}
