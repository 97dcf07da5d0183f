/**
 * A bounded cache of policy decisions for one loaded policy (issue 15: the OPA Wasm call —
 * serialising the input into Wasm, evaluating, dumping and parsing the result — was about half
 * of the warm path's busy time; the same image with the same results is decided again on
 * every admission).
 *
 * Sound only for a policy whose decision is a function of its input and data alone:
 *  - the cache belongs to one loaded policy instance, so a new bundle or new `policy.data`
 *    (a new generation) starts empty;
 *  - the key is a SHA-256 of the whole input (each result by the SHA-256 of its JSON), so results, errors, subject and every request
 *    field the policy can read are in it — except `request.uid`, which differs on every
 *    AdmissionReview and would make every lookup a miss. It is left out only when the policy
 *    cannot name it: neither policy.wasm (OPA compiles every string constant, `"uid"` of
 *    `input.request.uid` among them, into its data segment) nor the data mention `uid`;
 *  - a policy that calls `time.now_ns` (the only impure built-in a policy may use here:
 *    others are refused at load, src/policy/load-wasm-policy.ts) is never cached.
 * A policy that reaches `request.uid` without naming it (iterating over `input.request`,
 * building the key string at run time) would get a decision cached for another uid; no policy
 * in this repository does, and docs/policy.md says so.
 */
import { hash } from 'node:crypto';
import type { VerifierResult } from '../verifiers/verifier.js';
import type { PolicyDecision, PolicyInput } from './types.js';

/** Enough for every image a busy cluster admits repeatedly; each entry is ~200 bytes. */
export const DEFAULT_MAX_DECISIONS = 4096;

const IMPURE_BUILTINS: ReadonlySet<string> = new Set(['time.now_ns']);

export interface DecisionCache {
  /** The cached decision for an input like this one (a copy), or undefined. */
  get(key: string): PolicyDecision | undefined;
  set(key: string, decision: PolicyDecision): void;
  key(input: PolicyInput): string;
  readonly size: number;
}

/** Whether decisions of this policy may be cached at all (see the file comment). */
export function decisionsCacheable(wasm: Uint8Array, builtins: readonly string[], data: unknown): boolean {
  if (builtins.some((b) => IMPURE_BUILTINS.has(b))) return false;
  const mentionsUid = Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength).includes('uid') || JSON.stringify(data ?? {}).includes('uid');
  return !mentionsUid;
}

/**
 * SHA-256 of a verifier result's JSON, once per result object. Serialising the results was the
 * largest cost of the key (profile of bench/admission-warm --rate: 2.3 of 21.6 s): the memory
 * cache hands every admission the same result objects, so their digests are remembered by
 * identity (a WeakMap: nothing is kept past the result). Sound because results are immutable
 * once verified — VerifierResult is readonly throughout, and the results cache already relies on
 * it by handing one object to every request. A result new to this process (just verified, or
 * just read from Redis, which then serves it from its in-process L1) is digested afresh: a
 * first call costs more than one whole-input digest did (bench/policy-call.ts: 32 → 50 µs), every
 * later call less (23 → 7 µs).
 */
const resultDigests = new WeakMap<VerifierResult, string>();
function resultDigest(result: VerifierResult): string {
  let digest = resultDigests.get(result);
  if (digest === undefined) {
    digest = hash('sha256', JSON.stringify(result), 'base64');
    resultDigests.set(result, digest);
  }
  return digest;
}

const copy = (d: PolicyDecision): PolicyDecision => ({ allowed: d.allowed, reasons: [...d.reasons], warnings: [...d.warnings] });

export function createDecisionCache(maxEntries = DEFAULT_MAX_DECISIONS): DecisionCache {
  // Insertion order is recency order: a hit is moved to the end, the oldest is evicted first.
  const entries = new Map<string, PolicyDecision>();
  return {
    get size() { return entries.size; },
    key(input) {
      const { results, ...rest } = input;
      const keyed = rest.request ? { ...rest, request: { ...rest.request, uid: '' } } : rest;
      // Each result stands in the key as the digest of its JSON, so the whole input is still in
      // it while a result served again by the memory cache is serialised once (see resultDigest).
      return hash('sha256', JSON.stringify([keyed, results === undefined ? null : results.map(resultDigest)]), 'base64');
    },
    get(key) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      entries.set(key, hit);
      return copy(hit);
    },
    set(key, decision) {
      entries.delete(key);
      entries.set(key, copy(decision));
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}
