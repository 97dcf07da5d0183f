/**
 * Certificates from PEM (one or more `CERTIFICATE` blocks, RFC 7468) or a single DER
 * certificate. Trust material is operator-supplied, but still parsed defensively.
 */
import { X509Certificate } from 'node:crypto';
import { CodedError } from '../shared/coded-error.js';

export class TrustMaterialError extends CodedError<'INVALID_CERTIFICATE' | 'NO_CERTIFICATES' | 'READ_FAILED'> {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const MAX_BYTES = 4 * 1024 * 1024;

export function parseCertificates(bytes: Uint8Array, origin: string): X509Certificate[] {
  if (bytes.length > MAX_BYTES) throw new TrustMaterialError('INVALID_CERTIFICATE', `${origin}: larger than ${MAX_BYTES} bytes`);
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const certs: X509Certificate[] = [];
    for (const m of text.matchAll(PEM_BLOCK)) {
      if (m[1] !== 'CERTIFICATE') continue;
      const der = Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64');
      certs.push(parseDer(der, `${origin} (PEM block ${certs.length + 1})`));
    }
    if (certs.length === 0) throw new TrustMaterialError('NO_CERTIFICATES', `${origin}: no CERTIFICATE PEM block`);
    return certs;
  }
  if (bytes.length === 0) throw new TrustMaterialError('NO_CERTIFICATES', `${origin}: empty file`);
  return [parseDer(bytes, origin)];
}

function parseDer(der: Uint8Array, origin: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new TrustMaterialError('INVALID_CERTIFICATE', `${origin}: not an X.509 certificate`, { cause });
  }
}
