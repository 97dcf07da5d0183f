/**
 * The Docker reference grammar, as distribution/reference defines it, with Docker Hub
 * normalisation (SPEC "Registry access") and the canonical registry identity
 * (./registry-identity.ts: lower-case host, `:443` dropped, Hub aliases folded):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ domain "/" ] path-component ( "/" path-component )*
 *   domain         := host [ ":" port ]          host: DNS name, IPv4 or [IPv6]
 *   path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest         := algorithm ":" encoded
 *
 * https://github.com/distribution/reference/blob/main/reference.go
 */
import type { ImageRef } from './types.js';
import { OciError } from './errors.js';
import { parseDigest } from './digest.js';
import { DOCKER_HUB, canonicalRegistryHost, canonicalRepository } from './registry-identity.js';

export { DOCKER_HUB };

/** distribution/reference NameTotalLengthMax: the name (domain and path) is at most 255 chars. */
export const NAME_MAX_LENGTH = 255;
/** A bound on the whole input, so hostile strings are refused before any regex runs. */
export const REFERENCE_MAX_LENGTH = 4096;

/** The host that actually serves the Docker Hub distribution API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Parses an image reference as a user wrote it (in a pod spec or on the command line). */
export function parseReference(input: string): ImageRef {
  if (typeof input !== 'string' || input.length === 0) throw invalid(input, 'empty reference');
  if (input.length > REFERENCE_MAX_LENGTH) {
    throw new OciError('REFERENCE_TOO_LONG', `reference is ${input.length} characters, over the ${REFERENCE_MAX_LENGTH} limit`);
  }
  if (/\s/.test(input)) throw invalid(input, 'contains whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      digest = parseDigest(d).digest;
    } catch (err) {
      throw new OciError(err instanceof OciError ? err.code : 'INVALID_DIGEST', `invalid reference ${JSON.stringify(input)}: ${(err as Error).message}`, { cause: err });
    }
  }

  // A tag follows the last ':' that is after the last '/' (a ':' before it is a port).
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(input, `invalid tag ${JSON.stringify(tag)}`);
  }

  const name = rest;
  if (name.length === 0) throw invalid(input, 'missing repository name');
  if (name.length > NAME_MAX_LENGTH) {
    throw new OciError('REFERENCE_TOO_LONG', `repository name is ${name.length} characters, over the ${NAME_MAX_LENGTH} limit`);
  }
  if (digest === undefined && tag === undefined && ANCHORED_IDENTIFIER_RE.test(name)) {
    throw invalid(input, 'a 64-character hex string is an image ID, not a reference');
  }

  const { domain, path } = splitDomain(name);
  const components = path.split('/');
  for (const c of components) {
    if (!PATH_COMPONENT_RE.test(c)) {
      throw invalid(input, c.toLowerCase() !== c ? 'repository name must be lowercase' : `invalid path component ${JSON.stringify(c)}`);
    }
  }

  // The canonical identity, computed once here so every consumer compares the same spelling.
  let registry: string;
  try {
    registry = domain === undefined ? DOCKER_HUB : canonicalRegistryHost(domain);
  } catch (err) {
    throw invalid(input, `${(err as Error).message}`);
  }
  const repository = canonicalRepository(registry, path);
  if (registry.length + 1 + repository.length > NAME_MAX_LENGTH) {
    throw new OciError('REFERENCE_TOO_LONG', `normalised name ${registry}/${repository} is over the ${NAME_MAX_LENGTH} character limit`);
  }
  return { original: input, registry, repository, tag, digest };
}

/**
 * The first path component is a registry host when it has a '.' or ':', is `localhost`, or
 * has upper-case letters (distribution/reference splitDockerDomain); otherwise Docker Hub.
 */
function splitDomain(name: string): { domain: string | undefined; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: undefined, path: name };
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first) {
    return { domain: first, path: name.slice(slash + 1) };
  }
  return { domain: undefined, path: name };
}

function invalid(input: string, why: string): OciError {
  const shown = typeof input === 'string' && input.length > 300 ? `${input.slice(0, 300)}…` : input;
  return new OciError('INVALID_REFERENCE', `invalid reference ${JSON.stringify(shown)}: ${why}`);
}

/** The host serving the distribution API for a normalised registry name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The canonical, normalised spelling: `docker.io/library/nginx:1.27@sha256:…`. */
export function formatReference(ref: Pick<ImageRef, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
