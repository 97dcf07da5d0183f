import picomatch from 'picomatch';
import { formatReference, parseReference } from '../oci/reference.js';
import { canonicalNamePattern, identityName } from '../oci/registry-identity.js';
import type { ImageRef } from '../oci/types.js';

/**
 * Image and namespace exclusions (SPEC "Validation", scope). Both webhooks use the same rules,
 * so an image validation skips is never blocked by mutation either.
 */
export interface Exclusions {
  namespace(ns: string): boolean;
  image(image: string): boolean;
}

/**
 * Matches `validation.excludeImages` globs against an image's canonical reference and its
 * canonical `registry/repository` (`ghcr.io/org/*` matches one path segment, `ghcr.io/org/**`
 * any; `docker.io/library/nginx` and `nginx` both match `nginx:1.27` and
 * `registry-1.docker.io/library/nginx:1.27`). Never the spelling as written: two spellings of
 * one image get one answer (docs/registry-identity.md). An image that does not parse is not
 * excluded, so validation refuses it.
 */
export function createImageMatcher(globs: readonly string[]): (image: string, ref?: ImageRef) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch(globs.map(canonicalNamePattern), { dot: true });
  return (image, ref) => {
    let r = ref;
    if (!r) {
      try { r = parseReference(image); } catch { return false; }
    }
    return match(formatReference(r)) || match(identityName(r));
  };
}

type ExclusionConfig = { readonly excludeNamespaces: readonly string[]; readonly excludeImages: readonly string[] };

/** Compiled once per config object (configs are frozen, a reload makes a new one), not per request. */
const compiled = new WeakMap<ExclusionConfig, Exclusions>();

export function createExclusions(config: ExclusionConfig): Exclusions {
  let ex = compiled.get(config);
  if (!ex) { ex = compileExclusions(config); compiled.set(config, ex); }
  return ex;
}

function compileExclusions(config: ExclusionConfig): Exclusions {
  const namespaces = new Set(config.excludeNamespaces);
  const image = createImageMatcher(config.excludeImages);
  return {
    namespace: (ns) => namespaces.has(ns),
    image: (i) => image(i),
  };
}
