/**
 * The PolicyEngine port on a Wasm policy that can be replaced while serving: `load()` builds
 * and checks a new instance completely, then swaps one reference. Evaluation is synchronous
 * inside the event loop, so a swap always falls between two evaluations and every
 * evaluation sees exactly one policy (SPEC "Policy": swapped atomically; broken one refused).
 */
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { createDecisionCache, DEFAULT_MAX_DECISIONS, decisionsCacheable, type DecisionCache } from './create-decision-cache.js';
import { loadWasmPolicy, type LoadedWasmPolicy } from './load-wasm-policy.js';
import { PolicyError } from './policy-error.js';
import { readBundle, type PolicyBundle } from './read-bundle.js';
import type { PolicyDecision, PolicyEngine, PolicyInput } from './types.js';

export interface WasmPolicyEngine extends PolicyEngine {
  /**
   * Loads a bundle (tar.gz bytes or already-read parts) and, if it is sound, makes it the
   * policy for every later evaluation. A broken bundle throws PolicyError, is counted as
   * `policy_reloads_total{result="failure"}` and leaves the current policy in place.
   */
  load(bundle: Uint8Array | PolicyBundle, source?: string): Promise<LoadedWasmPolicy>;
  /** The policy in use, if any has loaded. */
  current(): LoadedWasmPolicy | undefined;
  /** How many bundles have been swapped in (1 after the first load). */
  readonly generation: number;
  /** Decisions cached for the current policy; null when its decisions are not cacheable. */
  cachedDecisions(): number | null;
}

export interface WasmPolicyEngineOptions {
  /** Config `policy.data`, merged over each bundle's data.json. */
  readonly data?: Record<string, unknown> | undefined;
  readonly entrypoint?: string | undefined;
  readonly metrics?: Pick<Metrics, 'policyReloads' | 'policyEvaluationDuration'> | undefined;
  readonly logger?: Logger | undefined;
  readonly nowNs?: (() => bigint) | undefined;
  /**
   * Runs on every loaded candidate before it goes live; throwing refuses it like a broken
   * bundle (the enforcement canary, src/canary/).
   */
  readonly accept?: ((candidate: LoadedWasmPolicy, source: string) => void) | undefined;
  /** Bound of the decision cache (src/policy/create-decision-cache.ts); 0 turns it off. */
  readonly maxCachedDecisions?: number | undefined;
}

export function createWasmPolicyEngine(options: WasmPolicyEngineOptions = {}): WasmPolicyEngine {
  const { metrics, logger } = options;
  let active: LoadedWasmPolicy | undefined;
  // Per loaded policy: a swap (new bundle or data) replaces it with the policy, atomically.
  let decisions: DecisionCache | null = null;
  let generation = 0;
  const maxDecisions = options.maxCachedDecisions ?? DEFAULT_MAX_DECISIONS;
  return {
    get generation() { return generation; },
    current: () => active,
    cachedDecisions: () => decisions?.size ?? null,
    async load(bundle, source = 'bundle') {
      try {
        const parts = bundle instanceof Uint8Array ? readBundle(bundle) : bundle;
        const loaded = await loadWasmPolicy(parts, { data: options.data, entrypoint: options.entrypoint, nowNs: options.nowNs });
        options.accept?.(loaded, source);
        const cacheable = maxDecisions > 0 && decisionsCacheable(parts.wasm, loaded.builtins, [parts.data, options.data]);
        active = loaded;
        decisions = cacheable ? createDecisionCache(maxDecisions) : null;
        generation++;
        metrics?.policyReloads.inc({ result: 'success' });
        logger?.info({ source, entrypoint: loaded.entrypoint, builtins: loaded.builtins, generation, decisionCache: cacheable }, 'policy loaded');
        return loaded;
      } catch (err) {
        metrics?.policyReloads.inc({ result: 'failure' });
        const code = err instanceof PolicyError ? err.code : 'INVALID_BUNDLE';
        logger?.error({ source, code, err: (err as Error).message, keeping: active ? generation : null }, 'policy bundle refused; keeping the current policy');
        throw err instanceof PolicyError ? err : new PolicyError('INVALID_BUNDLE', (err as Error).message, { cause: err });
      }
    },
    async evaluate(input: PolicyInput): Promise<PolicyDecision> {
      const policy = active;
      const cache = decisions;
      if (!policy) throw new PolicyError('NOT_LOADED', 'no policy is loaded');
      const stop = metrics?.policyEvaluationDuration.startTimer();
      try {
        if (!cache) return policy.evaluate(input);
        const key = cache.key(input);
        const hit = cache.get(key);
        if (hit) return hit;
        const decision = policy.evaluate(input);
        cache.set(key, decision);
        return decision;
      } finally {
        stop?.();
      }
    },
  };
}
