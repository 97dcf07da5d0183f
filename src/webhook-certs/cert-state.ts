/**
 * What the self-managed certificate Secret holds, parsed and checked (parseCertSecret), and
 * what the planner reasons about. Timestamps are Dates; PEM strings are kept byte for byte so
 * an unchanged part is written back unchanged.
 */

/** One certificate of a CA bundle. */
export interface BundleCert {
  readonly pem: string;
  /** sha256 of the DER, hex: identity in bundles. */
  readonly fingerprint: string;
  readonly notAfter: Date;
}

export interface CaPair extends BundleCert {
  readonly keyPem: string;
  readonly notBefore: Date;
}

export interface ServingPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date;
  /** Fingerprint of the CA that signed it. */
  readonly issuer: string;
  /** Its DNS and IP subjectAltNames, sorted. */
  readonly names: readonly string[];
}

export interface CertState {
  /** The CA that signed `serving`. */
  readonly ca: CaPair;
  readonly serving: ServingPair;
  /** The CAs the webhook configurations must trust; always holds `ca` (and `next` when set). */
  readonly bundle: readonly BundleCert[];
  /** During a rotation: the incoming CA, already in `bundle`. */
  readonly next: CaPair | undefined;
  /** When `bundle` was last confirmed in every named webhook configuration. */
  readonly publishedAt: Date | undefined;
  /** When `ca` took over from a previous CA that is still in `bundle`. */
  readonly switchedAt: Date | undefined;
}

/** Secret data keys (docs/self-managed-certs.md "The Secret"). */
export const SECRET_KEYS = {
  caCert: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key', bundle: 'ca-bundle.crt',
  nextCaCert: 'next-ca.crt', nextCaKey: 'next-ca.key', publishedAt: 'bundle-published-at', switchedAt: 'ca-switched-at',
} as const;

/** The PEM text of a bundle, as it goes into `caBundle` (base64 of this). */
export function bundlePem(bundle: readonly BundleCert[]): string {
  return bundle.map((c) => c.pem.trim() + '\n').join('');
}
