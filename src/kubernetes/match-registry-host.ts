/**
 * Whether a docker config key (`ghcr.io`, `https://index.docker.io/v1/`, `*.example.com:5000`,
 * `registry.example.com/team`) applies to a registry host, following the kubelet's keyring:
 * scheme and path are ignored for the host match, `*` matches exactly one DNS label, the port
 * must be equal, and Docker Hub's historical names are the same registry.
 * https://kubernetes.io/docs/concepts/containers/images/#config-json
 */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function hostOf(key: string): string {
  let k = key.trim().toLowerCase();
  const scheme = k.indexOf('://');
  if (scheme >= 0) k = k.slice(scheme + 3);
  const slash = k.indexOf('/');
  return slash >= 0 ? k.slice(0, slash) : k;
}

function splitPort(host: string): [string, string] {
  // Not IPv6-aware beyond the bracket form, which registries in image references use.
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return m ? [m[1] ?? host, m[2] ?? ''] : [host, ''];
}

export function matchRegistryHost(key: string, registry: string): boolean {
  const want = registry.toLowerCase();
  const have = hostOf(key);
  if (have === '') return false;
  if (DOCKER_HUB.has(want) && DOCKER_HUB.has(have)) return true;
  if (have === want) return true;
  const [haveName, havePort] = splitPort(have);
  const [wantName, wantPort] = splitPort(want);
  if (havePort !== wantPort || !haveName.includes('*')) return false;
  const a = haveName.split('.');
  const b = wantName.split('.');
  if (a.length !== b.length) return false;
  return a.every((label, i) => label === '*' || label === b[i]);
}
