/** Hash and signature algorithm OIDs accepted in timestamp tokens (RFC 5754, RFC 4055, RFC 5758). */
export const DIGEST_OIDS: ReadonlyMap<string, string> = new Map([
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

export type SignatureKind = { kind: 'pkcs1'; hash?: string } | { kind: 'pss' } | { kind: 'ecdsa'; hash?: string };

export const SIGNATURE_OIDS: ReadonlyMap<string, SignatureKind> = new Map<string, SignatureKind>([
  ['1.2.840.113549.1.1.1', { kind: 'pkcs1' }],
  ['1.2.840.113549.1.1.11', { kind: 'pkcs1', hash: 'sha256' }],
  ['1.2.840.113549.1.1.12', { kind: 'pkcs1', hash: 'sha384' }],
  ['1.2.840.113549.1.1.13', { kind: 'pkcs1', hash: 'sha512' }],
  ['1.2.840.113549.1.1.10', { kind: 'pss' }],
  ['1.2.840.10045.2.1', { kind: 'ecdsa' }],
  ['1.2.840.10045.4.3.2', { kind: 'ecdsa', hash: 'sha256' }],
  ['1.2.840.10045.4.3.3', { kind: 'ecdsa', hash: 'sha384' }],
  ['1.2.840.10045.4.3.4', { kind: 'ecdsa', hash: 'sha512' }],
]);
