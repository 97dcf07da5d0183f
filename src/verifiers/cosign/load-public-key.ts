import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../shared/coded-error.js';

/** A configured Cosign public key. */
export interface CosignPublicKey {
  /** For messages and details: the file path as configured, or `inline key #n`. */
  readonly label: string;
  readonly key: KeyObject;
  /** `sha256:<hex>` of the DER SubjectPublicKeyInfo. */
  readonly fingerprint: string;
  /** e.g. `ecdsa-p256`, `rsa-3072`, `ed25519`. */
  readonly algorithm: string;
}

export const MAX_KEY_FILE_BYTES = 64 * 1024;
const CURVES: Record<string, string> = { prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384', secp521r1: 'ecdsa-p521' };

/**
 * Loads a public key given in config as a file path (relative to `baseDir`) or as PEM text.
 * Accepts ECDSA P-256/P-384/P-521, RSA 2048–4096 and Ed25519 (the key types Cosign signs with).
 */
export async function loadPublicKey(value: string, baseDir: string, path: string, inlineIndex: number): Promise<CosignPublicKey> {
  let pem: string;
  let label: string;
  if (value.trimStart().startsWith('-----BEGIN')) {
    pem = value;
    label = `inline key #${inlineIndex + 1}`;
  } else {
    const file = isAbsolute(value) ? value : resolve(baseDir, value);
    try {
      const bytes = await readFile(file);
      if (bytes.length > MAX_KEY_FILE_BYTES) throw new ConfigError('INVALID_CONFIG', path, `${value}: key file larger than ${MAX_KEY_FILE_BYTES} bytes`);
      pem = bytes.toString('utf8');
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError('FILE_NOT_FOUND', path, `cannot read public key ${value}: ${(err as Error).message}`, { cause: err });
    }
    label = value;
  }
  return { label, ...parsePublicKeyPem(pem, path, label) };
}

/** Parses and checks one PEM public key; exported for the trust of conformance keys in tests. */
export function parsePublicKeyPem(pem: string, path: string, label: string): Omit<CosignPublicKey, 'label'> {
  // A private key here is almost certainly a mistake that would leak it into config; refuse it.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new ConfigError('INVALID_CONFIG', path, `${label}: is a private key; give the public key (cosign.pub)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new ConfigError('INVALID_CONFIG', path, `${label}: not a PEM public key (${(err as Error).message})`, { cause: err });
  }
  const algorithm = describeKey(key);
  if (!algorithm) {
    throw new ConfigError('INVALID_CONFIG', path, `${label}: unsupported key type; use ECDSA P-256/P-384/P-521, RSA 2048–4096 or Ed25519`);
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return { key, algorithm, fingerprint: `sha256:${createHash('sha256').update(der).digest('hex')}` };
}

function describeKey(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return details.namedCurve ? CURVES[details.namedCurve] : undefined;
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      return bits >= 2048 && bits <= 4096 ? `rsa-${bits}` : undefined;
    }
    case 'ed25519':
      return 'ed25519';
    default:
      return undefined;
  }
}
