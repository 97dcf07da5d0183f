import { bundlePem, SECRET_KEYS, type CertState } from './cert-state.js';

/** The Secret `data` (decoded values) for a state: what parseCertSecret reads back. */
export function serializeCertState(state: CertState): Record<string, string> {
  return {
    [SECRET_KEYS.caCert]: state.ca.pem,
    [SECRET_KEYS.caKey]: state.ca.keyPem,
    [SECRET_KEYS.cert]: state.serving.certPem,
    [SECRET_KEYS.key]: state.serving.keyPem,
    [SECRET_KEYS.bundle]: bundlePem(state.bundle),
    ...(state.next ? { [SECRET_KEYS.nextCaCert]: state.next.pem, [SECRET_KEYS.nextCaKey]: state.next.keyPem } : {}),
    ...(state.publishedAt ? { [SECRET_KEYS.publishedAt]: state.publishedAt.toISOString() } : {}),
    ...(state.switchedAt ? { [SECRET_KEYS.switchedAt]: state.switchedAt.toISOString() } : {}),
  };
}
