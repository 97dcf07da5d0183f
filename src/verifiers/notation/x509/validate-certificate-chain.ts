/**
 * Certificate requirements of the Notary Project signature specification:
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements
 * The envelope carries the whole chain, leaf first, ending in a self-signed root. The same
 * rules apply to timestamping chains, with the timeStamping EKU instead of codeSigning
 * (https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#timestamp-certificate-requirements).
 */
import type { X509Certificate } from 'node:crypto';
import { NotationError, type NotationErrorCode } from '../notation-error.js';
import { algorithmForKey } from '../envelope/signature-algorithms.js';
import { oneLineName } from './describe-certificate.js';
import { isIssuedBy, isSelfSigned } from './is-issued-by.js';
import { EKU, readCertificateExtensions, type CertificateExtensions } from './read-certificate-extensions.js';

export type ChainPurpose = 'codeSigning' | 'timeStamping';

export interface ValidateChainOptions {
  readonly purpose: ChainPurpose;
  /** When given, every certificate must be valid at this time (signing time / timestamp). */
  readonly at?: Date | undefined;
  /** Error code used for violations (default INVALID_CERTIFICATE_CHAIN). */
  readonly code?: NotationErrorCode;
}

export function validateCertificateChain(chain: readonly X509Certificate[], options: ValidateChainOptions): void {
  const code = options.code ?? 'INVALID_CERTIFICATE_CHAIN';
  const fail = (msg: string): never => {
    throw new NotationError(code, msg);
  };
  if (chain.length === 0) fail('certificate chain is empty');
  chain.forEach((cert, i) => {
    const name = `certificate "${oneLineName(cert.subject)}"`;
    if (options.at) checkValidAt(cert, options.at, code);
    let ext: CertificateExtensions;
    try {
      ext = readCertificateExtensions(cert);
    } catch (cause) {
      throw new NotationError(code, `${name} has malformed extensions: ${(cause as Error).message}`, { cause });
    }
    const keyProblem = algorithmForKey(cert);
    if (!/^(PS|ES)\d+$/.test(keyProblem)) fail(`${name}: ${keyProblem}`);
    const last = i === chain.length - 1;
    if (last) {
      if (!isSelfSigned(cert)) fail(`${name} is not self-signed; the chain must end with a self-signed root`);
    } else {
      const parent = chain[i + 1] as X509Certificate;
      if (isSelfSigned(cert)) fail(`${name} is self-signed but is not the last certificate of the chain`);
      if (!isIssuedBy(cert, parent)) fail(`${name} is not issued by "${oneLineName(parent.subject)}"`);
    }
    if (i === 0) validateLeaf(cert, ext, name, options.purpose, fail);
    else validateCa(ext, name, i - 1, fail);
  });
}

function checkValidAt(cert: X509Certificate, at: Date, code: NotationErrorCode): void {
  const from = cert.validFromDate;
  const to = cert.validToDate;
  if (at < from || at > to) {
    throw new NotationError(code, `certificate "${oneLineName(cert.subject)}" was not valid at ${at.toISOString()} (valid ${from.toISOString()} to ${to.toISOString()})`);
  }
}

function validateCa(ext: CertificateExtensions, name: string, expectedPathLen: number, fail: (m: string) => never): void {
  if (!ext.basicConstraints?.ca) fail(`${name}: basic constraints must be present with cA true`);
  const pathLen = ext.basicConstraints?.pathLen;
  if (pathLen !== undefined && pathLen < expectedPathLen) fail(`${name}: path length constraint ${pathLen} is below the ${expectedPathLen} CA certificates under it`);
  if (!ext.keyUsage) fail(`${name}: key usage extension must be present`);
  if (!ext.keyUsage?.critical) fail(`${name}: key usage extension must be critical`);
  if (!ext.keyUsage?.usages.has('keyCertSign')) fail(`${name}: key usage must include keyCertSign`);
}

function validateLeaf(cert: X509Certificate, ext: CertificateExtensions, name: string, purpose: ChainPurpose, fail: (m: string) => never): void {
  if (ext.basicConstraints?.ca) fail(`${name}: a signing certificate must not be a CA (basic constraints cA must be false)`);
  if (!ext.keyUsage) fail(`${name}: key usage extension must be present`);
  if (!ext.keyUsage?.critical) fail(`${name}: key usage extension must be critical`);
  if (!ext.keyUsage?.usages.has('digitalSignature')) fail(`${name}: key usage must include digitalSignature`);
  if (ext.keyUsage?.usages.has('keyCertSign') || ext.keyUsage?.usages.has('cRLSign')) fail(`${name}: key usage of a signing certificate must not include keyCertSign or cRLSign`);
  const ekus = ext.extKeyUsage?.oids ?? [];
  if (purpose === 'codeSigning') {
    // EKU is optional; when present it must not grant other purposes that conflict with code signing.
    const banned: Record<string, string> = {
      [EKU.serverAuth]: 'serverAuth', [EKU.clientAuth]: 'clientAuth', [EKU.emailProtection]: 'emailProtection',
      [EKU.timeStamping]: 'timeStamping', [EKU.ocspSigning]: 'OCSPSigning',
    };
    for (const oid of ekus) if (banned[oid]) fail(`${name}: extended key usage must not contain ${banned[oid]}`);
  } else {
    // RFC 3161 §2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical.
    if (ekus.length !== 1 || ekus[0] !== EKU.timeStamping) fail(`${name}: a timestamping certificate must have timeStamping as its only extended key usage`);
    if (!ext.extKeyUsage?.critical) fail(`${name}: the timeStamping extended key usage must be critical`);
  }
  void cert;
}
