/**
 * Parses a `WWW-Authenticate` header (RFC 9110 §11.6.1) into challenges, as the distribution
 * token flow uses it: `Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"`.
 * https://distribution.github.io/distribution/spec/auth/token/
 */

export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

const MAX_HEADER = 8192;

/** Parses every challenge in the header; malformed parts are skipped, never thrown on. */
export function parseWwwAuthenticate(header: string | undefined | null): AuthChallenge[] {
  if (!header) return [];
  const s = header.slice(0, MAX_HEADER);
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skipWs = () => { while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++; };
  const token = () => { const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(s.slice(i)); if (!m) return ''; i += m[0].length; return m[0]; };
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') { i++; continue; }
    const start = i;
    const name = token();
    if (!name) { i++; continue; }
    skipWs();
    if (s[i] === '=') {
      // A parameter of the current challenge (or a token68 value when there is none).
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        value = token();
      }
      if (current) current.params[name.toLowerCase()] = value;
      continue;
    }
    void start;
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
  }
  return challenges;
}
