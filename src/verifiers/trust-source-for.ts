/**
 * The trust material source behind a verifier config value: a Kubernetes Secret for
 * `secret:<namespace>/<name>[/<key>]` (SPEC "Verifiers": trust stores and keys from Secrets),
 * `undefined` for a plain path, which the verifier reads itself.
 */
import { ConfigError } from '../shared/coded-error.js';
import type { TrustMaterialSource } from '../trust/types.js';
import type { VerifierDeps } from './verifier.js';

export const SECRET_PREFIX = 'secret:';

/** Throws ConfigError naming `path` when `spec` is a `secret:` value and there is no Kubernetes access. */
export function trustSourceFor(spec: string, path: string, deps: VerifierDeps): TrustMaterialSource | undefined {
  if (!spec.startsWith(SECRET_PREFIX)) return undefined;
  const source = deps.trustSource?.(spec, path);
  if (!source) throw new ConfigError('INVALID_CONFIG', path, `"${spec}" needs Kubernetes access, and no API server is configured`);
  return source;
}
