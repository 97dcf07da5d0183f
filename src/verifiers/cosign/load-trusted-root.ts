import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { CodedError, ConfigError } from '../../shared/coded-error.js';

/** Parsed offline Sigstore trust root: Fulcio CAs, Rekor logs, CT logs, TSAs. */
export interface CosignTrustRoot {
  readonly material: TrustMaterial;
  /** `sha256:<hex>` of the file, for the verifier's config hash. */
  readonly digest: string;
}

const MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024;

/** Reads a `trusted_root.json` (path relative to `baseDir`) once, at construction. */
export async function loadTrustedRoot(file: string, baseDir: string, path: string): Promise<CosignTrustRoot> {
  const full = isAbsolute(file) ? file : resolve(baseDir, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(full);
  } catch (err) {
    throw new ConfigError('FILE_NOT_FOUND', path, `cannot read trusted root ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseTrustedRoot(bytes);
  } catch (err) {
    throw new ConfigError('INVALID_CONFIG', path, `${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Parses trusted-root JSON (https://github.com/sigstore/protobuf-specs, `TrustedRoot`).
 * Every key's validity must have a start: without one, a key could vouch for entries from
 * before it existed (the conformance case trust-root-tlog-missing-validity-start_fail).
 */
export function parseTrustedRoot(bytes: Uint8Array): CosignTrustRoot {
  if (bytes.length > MAX_TRUSTED_ROOT_BYTES) throw new CodedError('MALFORMED', `trusted root larger than ${MAX_TRUSTED_ROOT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new CodedError('MALFORMED', `trusted root is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CodedError('MALFORMED', 'trusted root is not a JSON object');
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new CodedError('MALFORMED', `trusted root has mediaType ${String(mediaType)}, expected application/vnd.dev.sigstore.trustedroot…`);
  }
  const root = TrustedRoot.fromJSON(json);
  for (const [kind, logs] of [['tlogs', root.tlogs], ['ctlogs', root.ctlogs]] as const) {
    logs.forEach((log, i) => {
      if (!log.publicKey?.rawBytes) throw new CodedError('MALFORMED', `${kind}[${i}] has no public key`);
      if (!log.publicKey.validFor?.start) throw new CodedError('MALFORMED', `${kind}[${i}] public key has no validFor.start`);
      if (!log.logId?.keyId) throw new CodedError('MALFORMED', `${kind}[${i}] has no logId`);
    });
  }
  for (const [kind, cas] of [['certificateAuthorities', root.certificateAuthorities], ['timestampAuthorities', root.timestampAuthorities]] as const) {
    cas.forEach((ca, i) => {
      if (!ca.certChain?.certificates.length) throw new CodedError('MALFORMED', `${kind}[${i}] has no certificates`);
    });
  }
  let material: TrustMaterial;
  try {
    // Keys are configured per verifier, never taken from the root: no key finder here.
    material = toTrustMaterial(root, noKeys);
  } catch (err) {
    throw new CodedError('MALFORMED', `trusted root: ${(err as Error).message}`, { cause: err });
  }
  return { material, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** Trust material with no Fulcio, Rekor, CT or TSA entries: key-based checks only. */
export function emptyTrustMaterial(): TrustMaterial {
  return { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [], publicKey: noKeys };
}

function noKeys(): never {
  throw new CodedError('WRONG_KEY', 'no public key configured');
}
