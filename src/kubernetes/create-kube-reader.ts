/**
 * KubeReader over @kubernetes/client-node: typed CoreV1 reads with a bounded timeout and the
 * caller's AbortSignal, and a list-then-watch loop for single Secrets.
 */
import {
  ApiException, CoreV1Api, Observable, Watch,
  type ConfigurationOptions, type KubeConfig, type RequestContext, type ResponseContext, type V1Secret,
} from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import type { KubeNamespace, KubeReader, KubeSecret, KubeServiceAccount } from './kube-reader.js';
import { KubernetesError } from './kubernetes-error.js';
import { abortableSleep } from './abortable-sleep.js';

export interface KubeReaderOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Bound on each read (default 5 s): admission has ~10 s in total and must answer in time. */
  readonly timeoutMs?: number;
  /** Longest wait between two watch attempts after failures (default 30 s). */
  readonly maxBackoffMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
// A watch the server ends itself, before client-node's 30 s inactivity timer fires.
const WATCH_SECONDS = 25;

/**
 * Passes the caller's signal to the request: client-node has no per-call signal parameter,
 * but a middleware can set it. The object-parameter API takes Observable-style middleware.
 */
function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [{
      pre: (ctx: RequestContext) => { ctx.setSignal(signal); return new Observable(Promise.resolve(ctx)); },
      post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
    }],
    middlewareMergeStrategy: 'append',
  };
}

function decodeData(data: Record<string, string> | undefined): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function toSecret(s: V1Secret, namespace: string, name: string): KubeSecret {
  return {
    namespace: s.metadata?.namespace ?? namespace,
    name: s.metadata?.name ?? name,
    resourceVersion: s.metadata?.resourceVersion ?? '',
    type: s.type ?? 'Opaque',
    data: decodeData(s.data),
  };
}

/** Builds a KubeReader from a KubeConfig (in a Pod: `kc.loadFromCluster()`; tests: a kubeconfig file). */
export function createKubeReader(options: KubeReaderOptions): KubeReader {
  const { kubeConfig, logger } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const core = kubeConfig.makeApiClient(CoreV1Api);

  /** Runs one read; `undefined` on 404; every other failure becomes a KubernetesError. */
  async function read<T>(what: string, signal: AbortSignal, call: (opts: ConfigurationOptions) => Promise<T>): Promise<T | undefined> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      return await call(withSignal(combined));
    } catch (err) {
      if (err instanceof ApiException) {
        const status = (err as ApiException<unknown>).code;
        if (status === 404) return undefined;
        if (status === 401) throw new KubernetesError('UNAUTHORIZED', `reading ${what}: the API server refused our credentials`, { cause: err });
        if (status === 403) throw new KubernetesError('FORBIDDEN', `reading ${what}: forbidden by RBAC`, { cause: err });
        throw new KubernetesError('API_ERROR', `reading ${what}: API server answered ${status}`, { cause: err, details: { status } });
      }
      if (signal.aborted) throw new KubernetesError('ABORTED', `reading ${what}: aborted`, { cause: err });
      if (timeout.aborted) throw new KubernetesError('TIMEOUT', `reading ${what}: no answer within ${timeoutMs} ms`, { cause: err });
      throw new KubernetesError('API_ERROR', `reading ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    async readSecret(namespace, name, signal) {
      const s = await read(`secret ${namespace}/${name}`, signal, (o) => core.readNamespacedSecret({ namespace, name }, o));
      return s === undefined ? undefined : toSecret(s, namespace, name);
    },

    async readServiceAccount(namespace, name, signal): Promise<KubeServiceAccount | undefined> {
      const sa = await read(`serviceaccount ${namespace}/${name}`, signal, (o) => core.readNamespacedServiceAccount({ namespace, name }, o));
      if (sa === undefined) return undefined;
      return {
        namespace, name,
        resourceVersion: sa.metadata?.resourceVersion ?? '',
        imagePullSecrets: (sa.imagePullSecrets ?? []).flatMap((r) => (typeof r.name === 'string' && r.name !== '' ? [r.name] : [])),
      };
    },

    async readNamespace(name, signal): Promise<KubeNamespace | undefined> {
      const ns = await read(`namespace ${name}`, signal, (o) => core.readNamespace({ name }, o));
      if (ns === undefined) return undefined;
      return { name, resourceVersion: ns.metadata?.resourceVersion ?? '', labels: { ...(ns.metadata?.labels ?? {}) } };
    },

    watchSecret(namespace, name, onState) {
      const stop = new AbortController();
      const watch = new Watch(kubeConfig);
      const fieldSelector = `metadata.name=${name}`;
      let current: AbortController | undefined;
      let backoff = 1_000;

      const emit = (s: KubeSecret | undefined): void => {
        try { onState(s); } catch (err) { logger.error({ err, secret: `${namespace}/${name}` }, 'secret watch handler failed'); }
      };
      const sleep = (ms: number): Promise<void> => abortableSleep(ms, stop.signal);

      // List (for the current state and a resourceVersion), then watch from there; on any
      // end or error, list again. A missed event is thus never missed for longer than one cycle.
      const loop = async (): Promise<void> => {
        while (!stop.signal.aborted) {
          try {
            const list = await read(`secret ${namespace}/${name}`, stop.signal, (o) => core.listNamespacedSecret({ namespace, fieldSelector }, o));
            if (stop.signal.aborted) return;
            const item = list?.items[0];
            emit(item ? toSecret(item, namespace, name) : undefined);
            const watchErr = await new Promise<unknown>((resolve) => {
              const ended = (err: unknown): void => resolve(err);
              watch.watch(
                `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
                { fieldSelector, resourceVersion: list?.metadata?.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
                (phase: string, obj: V1Secret) => {
                  if (phase === 'ADDED' || phase === 'MODIFIED') emit(toSecret(obj, namespace, name));
                  else if (phase === 'DELETED') emit(undefined);
                  // ERROR (e.g. 410 Gone: our resourceVersion is too old): end and re-list.
                  else if (phase === 'ERROR') current?.abort();
                },
                ended,
              ).then((c) => {
                current = c;
                if (stop.signal.aborted) c.abort();
              }, ended);
            });
            // A watch that cannot even start (403, connection refused) must not spin.
            if (watchErr !== null && watchErr !== undefined && !stop.signal.aborted) throw new KubernetesError('API_ERROR', `watching secret ${namespace}/${name} failed`, { cause: watchErr });
            backoff = 1_000;
          } catch (err) {
            if (stop.signal.aborted) return;
            logger.warn({ code: (err as KubernetesError).code, secret: `${namespace}/${name}` }, 'secret watch failed, retrying');
            await sleep(backoff);
            backoff = Math.min(backoff * 2, maxBackoffMs);
            continue;
          }
          await sleep(250);
        }
      };
      void loop();
      return () => { stop.abort(); current?.abort(); };
    },
  };
}
