/**
 * OPA built-in functions that a Rego policy compiled to Wasm calls on its host, because OPA's
 * Wasm runtime does not implement them natively (the module lists them in its `builtins()`
 * table). Semantics follow OPA's Go implementation
 * (https://www.openpolicyagent.org/docs/policy-reference/#built-in-functions); an invalid
 * argument makes the call undefined (return `undefined` → the SDK passes address 0, which the
 * Wasm code treats as undefined), as OPA does outside strict mode.
 *
 * Nanosecond timestamps exceed 2^53, so results are handed back as exact JSON text
 * (an ArrayBuffer, which the SDK parses inside Wasm); arguments arrive through JSON.parse and
 * may lose sub-microsecond precision, which no policy here depends on.
 */
import semver from 'semver';
import { compileLinearRegex, type LinearRegex } from '../shared/regex/compile-linear-regex.js';

type Builtin = (...args: unknown[]) => unknown;

/**
 * Built-ins @open-policy-agent/opa-wasm already supplies itself (src/builtins of the SDK);
 * its `regex.split` is replaced by the RE2 one below (route-sdk-regex-builtins.ts).
 */
export const SDK_BUILTINS: ReadonlySet<string> = new Set([
  'sprintf', 'json.is_valid', 'yaml.is_valid', 'yaml.marshal', 'yaml.unmarshal', 'regex.split',
]);

/** Names of the built-ins Portcullis supplies to policies on top of the SDK's. */
export const HOST_BUILTIN_NAMES = [
  'time.now_ns', 'time.parse_rfc3339_ns', 'time.add_date', 'semver.compare', 'regex.replace', 'strings.any_prefix_match',
] as const;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const MAX_REGEX_CACHE = 256;

function exact(n: bigint): ArrayBuffer {
  const bytes = new TextEncoder().encode(n.toString());
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Parses RFC 3339 to epoch nanoseconds; undefined when not valid. */
export function parseRfc3339Ns(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const fracNs = frac ? BigInt(frac.slice(1).padEnd(9, '0')) : 0n;
  return (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fracNs;
}

/** Go's time.AddDate in UTC (overflowing days and months normalise, as in Go). */
export function addDateNs(ns: unknown, years: unknown, months: unknown, days: unknown): bigint | undefined {
  if (![ns, years, months, days].every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  if (![years, months, days].every((v) => Number.isInteger(v))) return undefined;
  const total = BigInt(Math.trunc(ns as number));
  let ms = total / 1_000_000n;
  let rest = total % 1_000_000n;
  if (rest < 0n) { rest += 1_000_000n; ms -= 1n; }
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return undefined;
  d.setUTCFullYear(d.getUTCFullYear() + (years as number), d.getUTCMonth() + (months as number), d.getUTCDate() + (days as number));
  if (Number.isNaN(d.getTime())) return undefined;
  return BigInt(d.getTime()) * 1_000_000n + rest;
}

function asStrings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

/**
 * `regex.replace` and `regex.split` on RE2 (linear time, no backtracking: src/shared/regex):
 * their patterns may be built from input (an image name). The compiled patterns are cached,
 * bounded. One set per process (see regexBuiltins): route-sdk-regex-builtins.ts also puts
 * `regex.split` in the place of the SDK's own.
 */
export function createRegexBuiltins(): Record<'regex.replace' | 'regex.split', Builtin> {
  const regexes = new Map<string, LinearRegex>();
  const regex = (pattern: string): LinearRegex | undefined => {
    let re = regexes.get(pattern);
    if (!re) {
      try { re = compileLinearRegex(pattern); } catch { return undefined; }
      if (regexes.size >= MAX_REGEX_CACHE) regexes.clear();
      regexes.set(pattern, re);
    }
    return re;
  };
  return {
    'regex.replace': (s, pattern, value) => {
      if (typeof s !== 'string' || typeof pattern !== 'string' || typeof value !== 'string') return undefined;
      // OPA: Go's ReplaceAllString, so the template is expanded as Go does ($1, ${1}, ${name}, $$).
      return regex(pattern)?.replaceAll(s, value);
    },
    // OPA: Go's Regexp.Split(s, -1) (https://www.openpolicyagent.org/docs/policy-reference/#builtin-regex-regexsplit).
    'regex.split': (pattern, s) => {
      if (typeof pattern !== 'string' || typeof s !== 'string') return undefined;
      return regex(pattern)?.split(s);
    },
  };
}

/** The process's regex built-ins (one bounded pattern cache for every policy instance). */
export const regexBuiltins = createRegexBuiltins();

/**
 * The host built-ins for one policy instance. `nowNs` is read once per evaluation by the engine
 * so that every `time.now_ns()` call in one evaluation sees the same instant, as in OPA.
 */
export function createHostBuiltins(clock: { nowNs(): bigint }): Record<string, Builtin> {
  return {
    'time.now_ns': () => exact(clock.nowNs()),
    'time.parse_rfc3339_ns': (value) => {
      const ns = parseRfc3339Ns(value);
      return ns === undefined ? undefined : exact(ns);
    },
    'time.add_date': (ns, y, m, d) => {
      const out = addDateNs(ns, y, m, d);
      return out === undefined ? undefined : exact(out);
    },
    'semver.compare': (a, b) => {
      if (typeof a !== 'string' || typeof b !== 'string') return undefined;
      const va = semver.parse(a);
      const vb = semver.parse(b);
      if (!va || !vb) return undefined;
      return semver.compare(va, vb);
    },
    ...regexBuiltins,
    'strings.any_prefix_match': (search, base) => {
      const ss = asStrings(search);
      const bs = asStrings(base);
      if (!ss || !bs) return undefined;
      return ss.some((s) => bs.some((b) => s.startsWith(b)));
    },
  };
}
