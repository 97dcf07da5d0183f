/**
 * Whether a docker config key (`ghcr.io`, `https://index.docker.io/v1/`, `*.example.com:5000`,
 * `registry.example.com/team`) applies to a registry, following the kubelet's keyring: scheme
 * and path are ignored for the host match, `*` matches exactly one DNS label, the port must be
 * equal. Keys and the registry are compared by the canonical registry identity
 * (docs/registry-identity.md): case, `:443` and Docker Hub's names make no difference.
 * https://kubernetes.io/docs/concepts/containers/images/#config-json
 */
import { credentialKeyAuthority, credentialKeyHost } from '../oci/credentials/credential-key-host.js';

function splitPort(host: string): [string, string] {
  // Not IPv6-aware beyond the bracket form, which registries in image references use.
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return m ? [m[1] ?? host, m[2] ?? ''] : [host, ''];
}

/** `registry` is canonical (ImageRef.registry). */
export function matchRegistryHost(key: string, registry: string): boolean {
  const exact = credentialKeyHost(key);
  if (exact !== undefined) return exact === registry;
  // Not a host: a kubelet glob such as `*.example.com[:port]`, canonical but for the wildcard.
  const have = credentialKeyAuthority(key).toLowerCase().replace(/:0*443$/, '');
  if (!have.includes('*')) return false;
  const [haveName, havePort] = splitPort(have);
  const [wantName, wantPort] = splitPort(registry);
  if (havePort !== wantPort) return false;
  const a = haveName.split('.');
  const b = wantName.split('.');
  if (a.length !== b.length) return false;
  return a.every((label, i) => label === '*' || label === b[i]);
}
