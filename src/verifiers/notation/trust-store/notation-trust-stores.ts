/**
 * Named trust stores by type, as the trust policy refers to them (`ca:NAME`, …):
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store
 */
import type { X509Certificate } from 'node:crypto';
import { TrustMaterialError, parseCertificates } from '../../../trust/parse-certificates.js';
import type { TrustMaterial } from '../../../trust/types.js';
import type { TrustStoreType } from '../trust-policy/trust-policy.js';
import { oneLineName } from '../x509/describe-certificate.js';
import { isSelfSigned } from '../x509/is-issued-by.js';
import { readCertificateExtensions } from '../x509/read-certificate-extensions.js';

/** Key `type:name` → certificates. */
export type NotationTrustStores = ReadonlyMap<string, readonly X509Certificate[]>;

export function trustStoreKey(type: TrustStoreType, name: string): string {
  return `${type}:${name}`;
}

/**
 * Parses and checks each store's material. Like notation-go: a `ca`/`signingAuthority` store
 * holds CA certificates or self-signed signing certificates; a `tsa` store holds only
 * self-signed root CAs. Any bad file makes the store fail to load (TrustMaterialError).
 */
export function buildTrustStores(materials: ReadonlyMap<string, readonly TrustMaterial[]>): NotationTrustStores {
  const out = new Map<string, X509Certificate[]>();
  for (const [key, items] of materials) {
    const type = key.slice(0, key.indexOf(':')) as TrustStoreType;
    const certs: X509Certificate[] = [];
    for (const m of items) {
      for (const cert of parseCertificates(m.bytes, m.origin)) {
        checkStoreCertificate(type, key, cert, m.origin);
        certs.push(cert);
      }
    }
    if (certs.length === 0) throw new TrustMaterialError('NO_CERTIFICATES', `trust store ${key} has no certificates`);
    out.set(key, certs);
  }
  return out;
}

function checkStoreCertificate(type: TrustStoreType, key: string, cert: X509Certificate, origin: string): void {
  const name = `certificate "${oneLineName(cert.subject)}" in ${origin} (trust store ${key})`;
  if (type === 'tsa') {
    if (!cert.ca || !isSelfSigned(cert)) throw new TrustMaterialError('INVALID_CERTIFICATE', `${name} is not a self-signed root CA; tsa trust stores hold root certificates only`);
    return;
  }
  let ca: boolean;
  try {
    ca = readCertificateExtensions(cert).basicConstraints?.ca ?? false;
  } catch (cause) {
    throw new TrustMaterialError('INVALID_CERTIFICATE', `${name} has malformed extensions`, { cause });
  }
  if (!ca && !isSelfSigned(cert)) throw new TrustMaterialError('INVALID_CERTIFICATE', `${name} is neither a CA certificate nor a self-signed signing certificate`);
}
