import semver from 'semver';

/**
 * Whether a package version falls in a semver range, for deny rules. Package ecosystems do not
 * all use semver: a Debian epoch (`1:`) is dropped and a version such as Alpine's `1.35.0-r29`
 * is compared by its leading `major.minor.patch`. A version that cannot be compared at all (or
 * is missing) counts as inside the range: for a deny rule, "cannot tell" must not mean "allowed".
 */
export function versionInRange(version: string | undefined, range: string): boolean {
  if (version === undefined) return true;
  const options = { includePrerelease: true, loose: true };
  const valid = semver.valid(version, options);
  if (valid) return semver.satisfies(valid, range, options);
  const coerced = semver.coerce(version.replace(/^\d+:/, ''));
  return coerced ? semver.satisfies(coerced, range, options) : true;
}
