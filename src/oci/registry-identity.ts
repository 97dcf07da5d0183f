/**
 * The canonical registry identity (issue 13, "One canonical registry identity"): every scope,
 * exclusion, credential, cache key and metric label compares registries by this one spelling,
 * so a reference cannot pick a looser rule by writing the same registry differently.
 *
 * Two spellings are one registry when the container runtime reaches the same endpoint for
 * both. Kubernetes nodes pull over HTTPS unless a host is configured otherwise, so:
 * - the host is case-insensitive (DNS, and TLS name checks, ignore case): lower-cased;
 * - `:443` is the HTTPS default port: dropped (`host:443` and `host` are one endpoint);
 * - `:80` is kept: without a port the runtime uses HTTPS on 443, so `host:80` is another
 *   endpoint (and another hosts.toml / insecure-registry entry) unless plain HTTP is
 *   configured for that host; folding it would hand `host`'s credentials and exclusions to a
 *   different port. Plain-HTTP registries are listed with their port in `registries.insecure`;
 * - IP literals are written the way the WHATWG URL parser (which Portcullis's own HTTP client
 *   uses to connect) writes them: `[0:0::1]` → `[::1]`, `127.1` → `127.0.0.1`;
 * - Docker Hub answers under `docker.io`, `index.docker.io`, `registry-1.docker.io` and
 *   `registry.hub.docker.com`: all fold into `docker.io`, and a one-component Hub repository
 *   gets the `library/` prefix (distribution/reference `ParseNormalizedNamed`).
 * https://github.com/distribution/reference/blob/main/normalize.go
 * https://github.com/containerd/containerd/blob/main/core/remotes/docker/config/hosts.go
 */
import { OciError } from './errors.js';

/** The canonical name of Docker Hub. */
export const DOCKER_HUB = 'docker.io';

// distribution/reference's domain grammar: DNS name, IPv4 or [IPv6], optional port.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
/** Longer than any DNS name plus port; checked before the regex runs. */
const HOST_MAX_LENGTH = 300;

const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** A registry and repository in canonical form, as every consumer compares them. */
export interface RegistryIdentity {
  /** Canonical host[:port]: `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path, `library/` added for one-component Docker Hub paths. */
  readonly repository: string;
  /** `registry/repository`, the string scopes and exclusions are matched against. */
  readonly name: string;
}

/** Whether a canonical host is Docker Hub. */
export function isDockerHub(registry: string): boolean {
  return registry === DOCKER_HUB;
}

/**
 * The canonical spelling of a registry host (`host`, `host:port`, `[v6]:port`) as written in
 * a reference or in config. Throws `INVALID_REFERENCE` for a host no client could reach
 * (port over 65535, a malformed IP literal).
 */
export function canonicalRegistryHost(host: string): string {
  if (typeof host !== 'string' || host.length === 0 || host.length > HOST_MAX_LENGTH || !DOMAIN_RE.test(host)) throw invalidHost(host);
  const lower = host.toLowerCase();
  if (DOCKER_HUB_ALIASES.has(lower)) return DOCKER_HUB;
  let url: URL;
  try {
    // https: the scheme whose default port (443) is the one a bare host name means.
    url = new URL(`https://${lower}/`);
  } catch {
    throw invalidHost(host);
  }
  const canonical = url.host;
  if (canonical.length === 0) throw invalidHost(host);
  // `index.docker.io:443` and the like: the alias check again after the port is gone.
  return DOCKER_HUB_ALIASES.has(canonical) ? DOCKER_HUB : canonical;
}

/**
 * A host to be reached over plain HTTP (`registries.insecure`, `--insecure`), canonical like
 * every other host. `:443` is refused: the canonical form drops it (HTTPS default), which
 * would move a plain-HTTP registry on port 443 to port 80. Throws `INVALID_REFERENCE`.
 */
export function canonicalPlainHttpHost(host: string): string {
  if (/:0*443$/.test(host)) throw new OciError('INVALID_REFERENCE', `${JSON.stringify(host)}: plain HTTP on port 443 is not supported`);
  try {
    return canonicalRegistryHost(host);
  } catch {
    throw new OciError('INVALID_REFERENCE', `${JSON.stringify(host)} is not a registry host[:port]`);
  }
}

/** The canonical repository path for a canonical registry: `nginx` on Docker Hub is `library/nginx`. */
export function canonicalRepository(registry: string, path: string): string {
  return isDockerHub(registry) && !path.includes('/') ? `library/${path}` : path;
}

/** The identity of `host` + `path` (both as written). */
export function registryIdentity(host: string, path: string): RegistryIdentity {
  const registry = canonicalRegistryHost(host);
  const repository = canonicalRepository(registry, path);
  return { registry, repository, name: `${registry}/${repository}` };
}

/** `registry/repository` of an already canonical reference (an `ImageRef`). */
export function identityName(ref: { readonly registry: string; readonly repository: string }): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * A configured exact scope `host/repository` (Notation `registryScopes`) in canonical form,
 * so that it selects the same references whichever spelling the operator or the Pod used.
 * The first segment is always the registry. Throws `INVALID_REFERENCE` for a bad host.
 */
export function canonicalScope(scope: string): string {
  const slash = scope.indexOf('/');
  if (slash <= 0) throw new OciError('INVALID_REFERENCE', `scope ${JSON.stringify(scope)} has no registry host`);
  return registryIdentity(scope.slice(0, slash), scope.slice(slash + 1)).name;
}

// picomatch's special characters; a segment holding one is a glob, not a literal name.
const GLOB_CHARS = /[*?[\]{}()!+@|\\]/;

/**
 * A configured glob over canonical names (`registry/repository[:tag][@digest]`: cosign
 * `scopes`, `validation.excludeImages`) rewritten so that it matches what the operator meant
 * whichever spelling they wrote:
 * - a literal host is made canonical (`Registry.Corp.Example:443/app/*` → `registry.corp.example/app/*`,
 *   `index.docker.io/nginx` → `docker.io/library/nginx`); `[` `]` of an IPv6 literal are escaped;
 * - a host glob (`*.corp.example/**`, `127.0.0.1:*` as host) is lower-cased and loses a `:443`;
 *   it cannot fold Docker Hub's aliases, so Hub globs are written `docker.io/…`;
 * - a name without a host is Docker Hub shorthand, as in a Pod (`nginx*` → `docker.io/library/nginx*`,
 *   `bitnami/*` → `docker.io/bitnami/*`), except globs that start with a wildcard segment
 *   (`**`, `*`, `**\/app`), which already span every registry.
 * Never throws: a literal host no client can reach is kept lower-cased; no canonical name has it.
 */
export function canonicalNamePattern(pattern: string): string {
  const slash = pattern.indexOf('/');
  const head = slash < 0 ? pattern : pattern.slice(0, slash);
  const rest = slash < 0 ? undefined : pattern.slice(slash + 1);
  if (rest !== undefined && namesRegistry(head)) {
    if (!DOMAIN_RE.test(head)) return `${head.toLowerCase().replace(/:0*443$/, '')}/${rest}`;
    let host: string;
    try { host = canonicalRegistryHost(head); } catch { return `${head.toLowerCase()}/${rest}`; }
    return `${host.replace(/[[\]]/g, '\\$&')}/${isDockerHub(host) ? hubPath(rest) : rest}`;
  }
  if (/^[*]+$/.test(head) || (rest !== undefined && GLOB_CHARS.test(head))) return pattern;
  return `${DOCKER_HUB}/${hubPath(pattern)}`;
}

/** distribution/reference splitDockerDomain: a first segment with `.` or `:`, `localhost`, or upper case names a registry. */
function namesRegistry(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;
}

/** A one-segment Hub path (not the `**` globstar) lives under `library/`. */
function hubPath(path: string): string {
  return path.includes('/') || path === '**' ? path : `library/${path}`;
}

function invalidHost(host: string): OciError {
  const text = String(host);
  const shown = text.length > HOST_MAX_LENGTH ? `${text.slice(0, HOST_MAX_LENGTH)}…` : text;
  return new OciError('INVALID_REFERENCE', `invalid registry host ${JSON.stringify(shown)}`);
}
