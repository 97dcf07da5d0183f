/**
 * Trust material paths that name a Kubernetes Secret instead of a file, for config entries
 * such as notation `trustStores` or cosign keys:
 *   `secret:<namespace>/<name>`        every key of the Secret
 *   `secret:<namespace>/<name>/<key>`  one key
 * Names follow Kubernetes rules (DNS labels / subdomains; keys: [-._a-zA-Z0-9]+).
 */
import { ConfigError } from '../shared/coded-error.js';

export interface SecretReference {
  readonly namespace: string;
  readonly name: string;
  readonly keys?: readonly string[] | undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * The reference, or `undefined` when `spec` is not a `secret:` reference (a file path).
 * A malformed one is a ConfigError naming `path` (e.g. `verifiers[0].trustStores.ca.release`).
 */
export function parseSecretReference(spec: string, path = ''): SecretReference | undefined {
  if (!spec.startsWith('secret:')) return undefined;
  const parts = spec.slice('secret:'.length).split('/');
  const [namespace, name, key] = parts;
  if (parts.length < 2 || parts.length > 3 || !namespace || !name || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name) || (parts.length === 3 && !(key && KEY.test(key)))) {
    throw new ConfigError('INVALID_CONFIG', path, `"${spec}" is not secret:<namespace>/<name>[/<key>]`);
  }
  return key ? { namespace, name, keys: [key] } : { namespace, name };
}
