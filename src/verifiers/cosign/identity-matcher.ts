import { ConfigError } from '../../shared/coded-error.js';
import { compileLinearRegex, type LinearRegex } from '../../shared/regex/compile-linear-regex.js';
import type { CosignIdentityOptions } from './cosign-options.js';
import { joinPath } from './cosign-options.js';

/** One trusted keyless identity, compiled. */
export interface IdentityMatcher {
  /** For messages: `subject` or `/subjectRegExp/`. */
  readonly subjectLabel: string;
  readonly issuerLabel: string;
  matchesSubject(san: string): boolean;
  matchesIssuer(issuer: string): boolean;
}

/**
 * Compiles a configured identity. Regular expressions have RE2 syntax (as cosign's, which are
 * Go `regexp`) and run in time linear in the certificate's text (src/shared/regex). They always
 * match the whole value, as `^(?:…)$`, so that `https://github.com/org/.*` cannot be satisfied
 * by a longer identity that merely contains a match (cosign's `--certificate-identity-regexp`
 * is Go's unanchored MatchString; we are deliberately stricter, as the SPEC asks).
 */
export function compileIdentity(options: CosignIdentityOptions, path: string): IdentityMatcher {
  const subject = compileOne(options.subject, options.subjectRegExp, joinPath(path, [options.subject !== undefined ? 'subject' : 'subjectRegExp']));
  const issuer = compileOne(options.issuer, options.issuerRegExp, joinPath(path, [options.issuer !== undefined ? 'issuer' : 'issuerRegExp']));
  return {
    subjectLabel: subject.label,
    issuerLabel: issuer.label,
    matchesSubject: subject.test,
    matchesIssuer: issuer.test,
  };
}

function compileOne(exact: string | undefined, pattern: string | undefined, path: string): { label: string; test: (v: string) => boolean } {
  if (exact !== undefined) return { label: exact, test: (v) => v === exact };
  const source = pattern ?? '';
  let re: LinearRegex;
  try {
    re = compileLinearRegex(source);
  } catch (err) {
    throw new ConfigError('INVALID_CONFIG', path, (err as Error).message, { cause: err });
  }
  return { label: `/${source}/`, test: (v) => re.fullMatch(v) };
}
