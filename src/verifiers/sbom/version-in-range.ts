import semver from 'semver';

/**
 * PURL types whose versions end in a distribution revision (`1.35.0-r29`, `2.36-9+deb12u4`,
 * `1.2.3-4.el9`), which semver would misread as a pre-release (earlier than `1.35.0`).
 * Their versions are compared by their leading `major.minor.patch`.
 */
const DISTRO_TYPES = new Set(['apk', 'deb', 'rpm', 'alpm', 'alpine', 'debian']);

/**
 * Whether a package version falls in a semver range, for deny rules. Versions that are valid
 * semver are compared as such (pre-releases included), except in distribution ecosystems
 * (`purlType` apk/deb/rpm/alpm) and for non-semver versions, which are compared by their leading
 * `major.minor.patch` (a Debian epoch `1:` dropped first). A version that cannot be compared
 * at all (or is missing) counts as inside the range: for a deny rule, "cannot tell" must not mean
 * "allowed".
 */
export function versionInRange(version: string | undefined, range: string, purlType?: string): boolean {
  if (version === undefined) return true;
  const options = { includePrerelease: true, loose: true };
  const valid = purlType !== undefined && DISTRO_TYPES.has(purlType) ? null : semver.valid(version, options);
  if (valid) return semver.satisfies(valid, range, options);
  const coerced = semver.coerce(version.replace(/^\d+:/, ''));
  return coerced ? semver.satisfies(coerced, range, options) : true;
}
