import type { X509Certificate } from 'node:crypto';

/** RFC 4514-ish one-line form of node's newline-separated subject (`CN=x,O=y,…`), most specific first. */
export function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(',');
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256: string;
}

export function describeCertificate(cert: X509Certificate): CertificateSummary {
  return {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    sha256: cert.fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}
