import picomatch from 'picomatch';

/**
 * Image and namespace exclusions (SPEC "Validation", scope). Image globs match the image as
 * written in the object (`ghcr.io/org/*` matches one path segment, `ghcr.io/org/**` any).
 */
export interface Exclusions {
  namespace(ns: string): boolean;
  image(image: string): boolean;
}

export function createExclusions(config: { readonly excludeNamespaces: readonly string[]; readonly excludeImages: readonly string[] }): Exclusions {
  const namespaces = new Set(config.excludeNamespaces);
  const matchers = config.excludeImages.map((g) => picomatch(g, { dot: true }));
  return {
    namespace: (ns) => namespaces.has(ns),
    image: (image) => matchers.some((m) => m(image)),
  };
}
