/**
 * @open-policy-agent/opa-wasm supplies a few built-ins itself (src/builtins of the SDK) and
 * looks them up *before* the host's (`builtinFuncs[name] || customBuiltins[name]` in its
 * opa.js), so a host built-in of the same name never runs. Its `regex.split` is
 * `s.split(RegExp(pattern))`: the backtracking JavaScript engine, with a pattern and subject a
 * policy may build from input (issue 14 item 4: every policy regex in linear time), and
 * JavaScript's semantics (capture groups spliced into the result) instead of Go's.
 *
 * This replaces the SDK's regex built-ins, in the SDK's own built-in table, with the RE2 ones
 * of host-builtins.ts (re2js, src/shared/regex). The SDK loads its table with CommonJS
 * `require`, so the object found through the same resolution is the one it reads. Any SDK
 * regex built-in this does not know is refused (a new SDK version adding one fails the unit
 * test and the load, rather than running it on RegExp): docs/dependencies.md.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PolicyError } from './policy-error.js';

type Builtin = (...args: unknown[]) => unknown;

/** The SDK's regex built-ins this module replaces. */
export const ROUTED_SDK_BUILTINS = ['regex.split'] as const;

let routed: Record<string, Builtin> | undefined;

/**
 * The SDK's own built-in table (an object keyed by built-in name). Throws PolicyError
 * `INVALID_WASM` when its layout is not the one this module was written against.
 */
export function sdkBuiltinTable(): Record<string, Builtin> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@open-policy-agent/opa-wasm');
  let table: unknown;
  try {
    table = require(join(dirname(entry), 'builtins', 'index.js'));
  } catch (cause) {
    throw new PolicyError('INVALID_WASM', 'the OPA Wasm SDK has no built-in table where Portcullis expects it (src/builtins/index.js)', { cause });
  }
  if (typeof table !== 'object' || table === null) throw new PolicyError('INVALID_WASM', 'the OPA Wasm SDK built-in table is not an object');
  return table as Record<string, Builtin>;
}

/**
 * Points the SDK's regex built-ins at `linear` (idempotent; every policy instance of the
 * process then uses them). Throws PolicyError `INVALID_WASM` when the SDK has a regex built-in
 * that is not replaced.
 */
export function routeSdkRegexBuiltins(linear: Readonly<Record<(typeof ROUTED_SDK_BUILTINS)[number], Builtin>>): void {
  if (routed) return;
  const table = sdkBuiltinTable();
  const unknown = Object.keys(table).filter((name) => name.startsWith('regex.') && !(ROUTED_SDK_BUILTINS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new PolicyError('INVALID_WASM', `the OPA Wasm SDK supplies regex built-in(s) Portcullis does not route to RE2: ${unknown.join(', ')}`);
  }
  for (const name of ROUTED_SDK_BUILTINS) table[name] = linear[name];
  routed = table;
}
