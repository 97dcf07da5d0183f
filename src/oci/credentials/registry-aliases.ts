/**
 * The names one registry goes by in credential stores: docker config.json keys are often URLs
 * (`https://index.docker.io/v1/`), and Docker Hub has several spellings.
 */
const DOCKER_HUB_NAMES = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];

/** Normalises a credential-store key (host, or URL) to the registry names it covers. */
export function registryAliases(key: string): string[] {
  let host = key.trim();
  if (/^[a-z]+:\/\//i.test(host)) {
    try { host = new URL(host).host; } catch { /* keep as written */ }
  } else {
    host = host.split('/')[0] ?? host;
  }
  host = host.toLowerCase();
  return DOCKER_HUB_NAMES.includes(host) ? [...DOCKER_HUB_NAMES] : [host];
}
