/**
 * The self-managed certificate Secret's data → a checked CertState. The Secret is written by
 * Portcullis, but anyone with write access to it (or a bug, or a half-finished restore) can put
 * anything there: every value is size-capped, every certificate parsed, every key matched to
 * its certificate, the serving certificate checked against its CA, and the bundle checked to
 * hold that CA. Anything else is one WebhookCertsError('INVALID_SECRET') naming the key —
 * never the content — and never a crash.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { canonicalName } from './canonical-name.js';
import { SECRET_KEYS, type BundleCert, type CaPair, type CertState, type ServingPair } from './cert-state.js';
import { WebhookCertsError } from './webhook-certs-error.js';

/** A PEM certificate or key is a few KiB; a bundle holds a few of them. */
const MAX_VALUE_BYTES = 64 * 1024;
const MAX_BUNDLE_CERTS = 8;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\r\n]{1,16384}-----END CERTIFICATE-----/g;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const invalid = (key: string, why: string, cause?: unknown): WebhookCertsError =>
  new WebhookCertsError('INVALID_SECRET', `${key}: ${why}`, cause === undefined ? {} : { cause });

/**
 * `undefined` when the Secret is absent or holds none of our keys (an empty Secret a chart
 * pre-created is ours to fill); the checked state otherwise.
 */
export function parseCertSecret(data: Readonly<Record<string, Uint8Array>> | undefined): CertState | undefined {
  if (!data) return undefined;
  const text = (key: string): string | undefined => {
    if (!Object.hasOwn(data, key)) return undefined;
    const value = data[key] as Uint8Array;
    if (value.byteLength > MAX_VALUE_BYTES) throw invalid(key, `larger than ${MAX_VALUE_BYTES} bytes`);
    return Buffer.from(value).toString('latin1');
  };
  const ours = Object.values(SECRET_KEYS).filter((k) => Object.hasOwn(data, k));
  if (ours.length === 0) return undefined;
  const required = [SECRET_KEYS.caCert, SECRET_KEYS.caKey, SECRET_KEYS.cert, SECRET_KEYS.key, SECRET_KEYS.bundle];
  const missing = required.filter((k) => !Object.hasOwn(data, k));
  if (missing.length > 0) throw invalid(missing.join(', '), 'missing');

  const ca = caPair(SECRET_KEYS.caCert, text(SECRET_KEYS.caCert) ?? '', SECRET_KEYS.caKey, text(SECRET_KEYS.caKey) ?? '');
  const serving = servingPair(text(SECRET_KEYS.cert) ?? '', text(SECRET_KEYS.key) ?? '', ca);
  const nextCert = text(SECRET_KEYS.nextCaCert);
  const nextKey = text(SECRET_KEYS.nextCaKey);
  if ((nextCert === undefined) !== (nextKey === undefined)) {
    throw invalid(nextCert === undefined ? SECRET_KEYS.nextCaCert : SECRET_KEYS.nextCaKey, `missing while ${nextCert === undefined ? SECRET_KEYS.nextCaKey : SECRET_KEYS.nextCaCert} is set`);
  }
  const next = nextCert !== undefined && nextKey !== undefined ? caPair(SECRET_KEYS.nextCaCert, nextCert, SECRET_KEYS.nextCaKey, nextKey) : undefined;
  const bundle = parseBundle(text(SECRET_KEYS.bundle) ?? '');
  for (const [key, c] of [[SECRET_KEYS.caCert, ca], [SECRET_KEYS.nextCaCert, next]] as const) {
    if (c && !bundle.some((b) => b.fingerprint === c.fingerprint)) throw invalid(SECRET_KEYS.bundle, `does not hold the CA in ${key}`);
  }
  return {
    ca, serving, bundle, next,
    publishedAt: timestamp(SECRET_KEYS.publishedAt, text(SECRET_KEYS.publishedAt)),
    switchedAt: timestamp(SECRET_KEYS.switchedAt, text(SECRET_KEYS.switchedAt)),
  };
}

/** The certificates of a PEM bundle (1 to 8, each a CA), in order. */
export function parseBundle(pem: string, key: string = SECRET_KEYS.bundle): BundleCert[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw invalid(key, 'holds no PEM certificate');
  if (blocks.length > MAX_BUNDLE_CERTS) throw invalid(key, `holds more than ${MAX_BUNDLE_CERTS} certificates`);
  return blocks.map((b) => {
    const x = certificate(key, b);
    if (!x.ca) throw invalid(key, `${subjectOf(x)} is not a CA certificate`);
    return bundleCert(b, x);
  });
}

function caPair(certKey: string, certPem: string, keyKey: string, keyPem: string): CaPair {
  const x = onlyCertificate(certKey, certPem);
  if (!x.ca) throw invalid(certKey, `${subjectOf(x)} is not a CA certificate`);
  const key = privateKey(keyKey, keyPem);
  if (!x.checkPrivateKey(key)) throw invalid(keyKey, `does not match the certificate in ${certKey}`);
  return { ...bundleCert(certPem, x), keyPem, notBefore: new Date(x.validFrom) };
}

function servingPair(certPem: string, keyPem: string, ca: CaPair): ServingPair {
  const x = onlyCertificate(SECRET_KEYS.cert, certPem);
  const key = privateKey(SECRET_KEYS.key, keyPem);
  if (!x.checkPrivateKey(key)) throw invalid(SECRET_KEYS.key, `does not match the certificate in ${SECRET_KEYS.cert}`);
  const issuer = new X509Certificate(ca.pem);
  if (!x.checkIssued(issuer) || !x.verify(issuer.publicKey)) throw invalid(SECRET_KEYS.cert, `not signed by the CA in ${SECRET_KEYS.caCert}`);
  return { certPem, keyPem, notAfter: new Date(x.validTo), issuer: ca.fingerprint, names: subjectAltNames(x) };
}

/** DNS and IP subjectAltNames, canonical and sorted. */
function subjectAltNames(x: X509Certificate): string[] {
  const names = (x.subjectAltName ?? '').split(', ').flatMap((entry) => {
    if (entry.startsWith('DNS:')) return [canonicalName(entry.slice(4))];
    if (entry.startsWith('IP Address:')) return [canonicalName(entry.slice(11))];
    return [];
  });
  return [...new Set(names)].sort();
}

function onlyCertificate(key: string, pem: string): X509Certificate {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length !== 1) throw invalid(key, `expected one PEM certificate, found ${blocks.length}`);
  return certificate(key, blocks[0] as string);
}

function certificate(key: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw invalid(key, `certificate does not parse: ${(cause as Error).message}`, cause);
  }
}

function privateKey(key: string, pem: string): KeyObject {
  // Only PEM: createPrivateKey would also try DER and other encodings on arbitrary bytes.
  if (!/^-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem.trimStart())) throw invalid(key, 'not a PEM private key');
  try {
    return createPrivateKey(pem);
  } catch (cause) {
    // The cause's message names an OpenSSL routine, never the key.
    throw invalid(key, `private key does not parse: ${(cause as Error).message}`);
  }
}

function bundleCert(pem: string, x: X509Certificate): BundleCert {
  return { pem, fingerprint: createHash('sha256').update(x.raw).digest('hex'), notAfter: new Date(x.validTo) };
}

function timestamp(key: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const t = TIMESTAMP.test(value) ? new Date(value) : undefined;
  if (!t || Number.isNaN(t.getTime())) throw invalid(key, 'not an RFC 3339 UTC timestamp');
  return t;
}

function subjectOf(x: X509Certificate): string {
  return x.subject.replaceAll('\n', ', ');
}

/** The identity of a CA certificate given as PEM (fingerprint of its DER). */
export function fingerprintOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}
