import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { createWasmPolicyEngine, type WasmPolicyEngine, type WasmPolicyEngineOptions } from './create-wasm-policy-engine.js';
import { defaultPolicyBundle } from './default-policy-bundle.js';
import { PolicyError } from './policy-error.js';
import { sha256, watchPolicyBundle, type PolicyBundleWatcher } from './watch-policy-bundle.js';

/** Config `policy` (SPEC "Configuration"). */
export interface PolicyConfig {
  /** Path of a bundle tar.gz; null: the bundled default policy. */
  readonly bundle?: string | null | undefined;
  /** Merged over the bundle's data.json. */
  readonly data?: Record<string, unknown> | undefined;
}

export interface RunningPolicyEngine {
  readonly engine: WasmPolicyEngine;
  /** Present when `policy.bundle` names a file: it is watched and hot-swapped. */
  readonly watcher?: PolicyBundleWatcher | undefined;
  close(): Promise<void>;
}

/**
 * Loads the configured policy (or the bundled default) and, for a bundle file, starts watching
 * it. The first load must succeed: without a policy nothing can be admitted.
 */
export async function startPolicyEngine(
  config: PolicyConfig,
  deps: { baseDir: string; metrics?: Metrics | undefined; logger?: Logger | undefined; watch?: boolean | undefined; nowNs?: (() => bigint) | undefined; accept?: WasmPolicyEngineOptions['accept'] },
): Promise<RunningPolicyEngine> {
  const engine = createWasmPolicyEngine({ data: config.data ?? {}, metrics: deps.metrics, logger: deps.logger, nowNs: deps.nowNs, accept: deps.accept });
  if (config.bundle == null) {
    await engine.load(await defaultPolicyBundle(), 'default policy');
    return { engine, close: async () => undefined };
  }
  const path = isAbsolute(config.bundle) ? config.bundle : resolve(deps.baseDir, config.bundle);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new PolicyError('INVALID_BUNDLE', `policy.bundle ${path} cannot be read: ${(cause as Error).message}`, { cause });
  }
  await engine.load(bytes, path);
  if (deps.watch === false) return { engine, close: async () => undefined };
  const watcher = watchPolicyBundle(path, engine, { logger: deps.logger, loadedHash: sha256(bytes) });
  await watcher.ready;
  return { engine, watcher, close: () => watcher.close() };
}
