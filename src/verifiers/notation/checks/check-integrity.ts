/**
 * Integrity: the envelope parses, the algorithm fits the signing key, the signature verifies,
 * and the chain meets the certificate requirements at the signing time.
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details (integrity)
 */
import { algorithmForKey, verifyRawSignature } from '../envelope/signature-algorithms.js';
import type { SignedEnvelope } from '../envelope/signed-envelope.js';
import { NotationError } from '../notation-error.js';
import { validateCertificateChain } from '../x509/validate-certificate-chain.js';
import { failed, passed, type CheckFinding } from './check-result.js';

export function checkIntegrity(env: SignedEnvelope): CheckFinding {
  const leaf = env.certificateChain[0];
  if (!leaf) return failed('MALFORMED_ENVELOPE', 'the envelope has no signing certificate');
  if (env.verificationPlugin !== undefined) {
    // A signature that names a verification plugin must be verified by it (signature spec,
    // "verificationPlugin"); Portcullis runs no plugins, so it cannot vouch for such a signature.
    return failed('VERIFICATION_PLUGIN_REQUIRED', `the signature requires verification plugin ${JSON.stringify(env.verificationPlugin)}, which Portcullis does not run`);
  }
  const keyAlg = algorithmForKey(leaf);
  if (keyAlg !== env.algorithm) {
    return failed('SIGNATURE_INVALID', /^(PS|ES)\d+$/.test(keyAlg) ? `envelope algorithm ${env.algorithm} does not match the signing key, which requires ${keyAlg}` : `signing key: ${keyAlg}`);
  }
  if (!verifyRawSignature(env.algorithm, leaf, env.signedBytes, env.signature)) {
    return failed('SIGNATURE_INVALID', `the ${env.algorithm} signature does not verify with the signing certificate's key`);
  }
  try {
    validateCertificateChain(env.certificateChain, { purpose: 'codeSigning', at: env.signingTime });
  } catch (e) {
    if (e instanceof NotationError) return failed(e.code, e.message);
    throw e;
  }
  return passed(`${env.algorithm} signature verified`);
}
