/**
 * Loads a compiled policy bundle into a Wasm instance (@open-policy-agent/opa-wasm) and checks
 * it before it can serve: the ABI loads, the decision entrypoint exists, and every built-in the
 * module expects from its host is one we supply (OPA Wasm ABI,
 * https://www.openpolicyagent.org/docs/wasm/#imports).
 */
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { createHostBuiltins, HOST_BUILTIN_NAMES, regexBuiltins, SDK_BUILTINS } from './host-builtins.js';
import { mergeData } from './merge-data.js';
import { parseDecision } from './parse-decision.js';
import { PolicyError } from './policy-error.js';
import type { PolicyBundle } from './read-bundle.js';
import { routeSdkRegexBuiltins } from './route-sdk-regex-builtins.js';
import type { PolicyDecision, PolicyInput } from './types.js';
import { errorMessage } from '../shared/error-message.js';

export const DECISION_ENTRYPOINT = 'portcullis/decision';

/** 64 KiB Wasm pages; 4096 pages = 256 MiB, far above what one evaluation needs. */
const DEFAULT_MAX_MEMORY_PAGES = 4096;

export interface LoadedWasmPolicy {
  readonly entrypoint: string;
  /** Host built-ins the module calls. */
  readonly builtins: readonly string[];
  /** Evaluates synchronously; throws PolicyError (`EVALUATION_FAILED`, `INVALID_DECISION`). */
  evaluate(input: PolicyInput | Record<string, unknown>): PolicyDecision;
  /** Current size of the instance's linear memory (tests check it stays flat). */
  memoryBytes(): number;
}

export interface LoadWasmPolicyOptions {
  /** Config `policy.data`, merged over the bundle's data.json. */
  readonly data?: Record<string, unknown> | undefined;
  /** Epoch nanoseconds, read once per evaluation for `time.now_ns()`. */
  readonly nowNs?: (() => bigint) | undefined;
  /**
   * Entrypoint to evaluate; default `portcullis/decision`, or the only entrypoint of a bundle
   * built for another one (the example policies).
   */
  readonly entrypoint?: string | undefined;
  readonly maxMemoryPages?: number | undefined;
}

const supplied = new Set<string>([...SDK_BUILTINS, ...HOST_BUILTIN_NAMES]);

function readBuiltinTable(policy: LoadedPolicy): string[] {
  const exports = (policy.wasmInstance as unknown as { exports: Record<string, ((...a: number[]) => number) | undefined> }).exports;
  const addr = exports.opa_json_dump?.(exports.builtins?.() ?? 0) ?? 0;
  if (!addr) return [];
  const mem = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (end < mem.length && mem[end] !== 0) end++;
  const table = JSON.parse(Buffer.from(mem.subarray(addr, end)).toString('utf8')) as Record<string, number>;
  return Object.keys(table).sort();
}

/** Loads and checks a bundle. Throws PolicyError `INVALID_WASM` or `MISSING_BUILTIN`. */
export async function loadWasmPolicy(bundle: PolicyBundle, options: LoadWasmPolicyOptions = {}): Promise<LoadedWasmPolicy> {
  // The SDK's own regex.split would run on the backtracking RegExp: RE2 in its place.
  routeSdkRegexBuiltins(regexBuiltins);
  let now = 0n;
  const clock = options.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  const host = createHostBuiltins({ nowNs: () => now });
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(bundle.wasm as Uint8Array<ArrayBuffer>, { initial: 5, maximum: options.maxMemoryPages ?? DEFAULT_MAX_MEMORY_PAGES }, host);
  } catch (cause) {
    throw new PolicyError('INVALID_WASM', `policy.wasm does not load as an OPA policy: ${errorMessage(cause)}`, { cause });
  }
  const builtins = readBuiltinTable(policy);
  const missing = builtins.filter((b) => !supplied.has(b));
  if (missing.length > 0) {
    throw new PolicyError('MISSING_BUILTIN', `the policy calls built-in function(s) Portcullis does not supply to Wasm: ${missing.join(', ')}`, { details: { missing } });
  }
  const entrypoints = Object.keys((policy.entrypoints ?? {}) as Record<string, number>);
  const wanted = options.entrypoint ?? (entrypoints.includes(DECISION_ENTRYPOINT) || entrypoints.length !== 1 ? DECISION_ENTRYPOINT : entrypoints[0]!);
  if (!entrypoints.includes(wanted)) {
    throw new PolicyError('INVALID_WASM', `the bundle has no entrypoint ${wanted} (it has: ${entrypoints.join(', ') || 'none'}); build it with -e ${wanted}`);
  }
  try {
    policy.setData(mergeData(bundle.data, options.data ?? {}));
  } catch (cause) {
    throw new PolicyError('INVALID_WASM', `policy data does not load: ${errorMessage(cause)}`, { cause });
  }
  return {
    entrypoint: wanted,
    builtins,
    evaluate(input) {
      now = clock();
      let resultSet: unknown;
      try {
        resultSet = policy.evaluate(input, wanted);
      } catch (cause) {
        throw new PolicyError('EVALUATION_FAILED', `policy evaluation failed: ${errorMessage(cause)}`, { cause });
      }
      return parseDecision(resultSet);
    },
    memoryBytes: () => policy.mem.buffer.byteLength,
  };
}
