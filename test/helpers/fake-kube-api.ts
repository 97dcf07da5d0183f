/**
 * An in-memory KubeReader for unit tests: objects are set directly, reads are counted, calls
 * can be made to fail or hang (until aborted), and Secret watchers are notified on changes
 * the way the real list-then-watch loop reports them.
 */
import type { KubeNamespace, KubeReader, KubeSecret, KubeServiceAccount } from '../../src/kubernetes/kube-reader.js';
import { KubernetesError, type KubernetesErrorCode } from '../../src/kubernetes/kubernetes-error.js';

export interface FakeKubeApi extends KubeReader {
  setSecret(secret: Omit<KubeSecret, 'resourceVersion' | 'data'> & { data: Record<string, string | Uint8Array> }): void;
  deleteSecret(namespace: string, name: string): void;
  setServiceAccount(namespace: string, name: string, imagePullSecrets: string[]): void;
  setNamespace(name: string, labels?: Record<string, string>): void;
  /** Every read call, e.g. `secret default/pull`, `serviceaccount default/default`, `namespace team`. */
  readonly reads: string[];
  /** The next reads reject with this code (once per call to failNext). */
  failNext(code: KubernetesErrorCode): void;
  /** Reads never answer until their signal aborts. */
  hang(on: boolean): void;
  /** Number of active Secret watches. */
  activeWatches(): number;
}

export function createFakeKubeApi(): FakeKubeApi {
  let rv = 100;
  const secrets = new Map<string, KubeSecret>();
  const serviceAccounts = new Map<string, KubeServiceAccount>();
  const namespaces = new Map<string, KubeNamespace>();
  const watchers = new Map<string, Set<(s: KubeSecret | undefined) => void>>();
  const failures: KubernetesErrorCode[] = [];
  const reads: string[] = [];
  let hanging = false;

  async function read<T>(what: string, signal: AbortSignal, get: () => T | undefined): Promise<T | undefined> {
    reads.push(what);
    await Promise.resolve();
    const code = failures.shift();
    if (code) throw new KubernetesError(code, `reading ${what}: injected failure`);
    if (hanging) {
      await new Promise<never>((_, reject) => {
        const abort = (): void => reject(new KubernetesError('ABORTED', `reading ${what}: aborted`));
        if (signal.aborted) abort(); else signal.addEventListener('abort', abort, { once: true });
      });
    }
    if (signal.aborted) throw new KubernetesError('ABORTED', `reading ${what}: aborted`);
    return get();
  }

  const notify = (key: string): void => {
    for (const w of watchers.get(key) ?? []) w(secrets.get(key));
  };

  return {
    reads,
    setSecret(s) {
      const data: Record<string, Uint8Array> = {};
      for (const [k, v] of Object.entries(s.data)) data[k] = typeof v === 'string' ? Buffer.from(v) : v;
      const key = `${s.namespace}/${s.name}`;
      secrets.set(key, { ...s, data, resourceVersion: String(++rv) });
      notify(key);
    },
    deleteSecret(namespace, name) {
      const key = `${namespace}/${name}`;
      secrets.delete(key);
      notify(key);
    },
    setServiceAccount(namespace, name, imagePullSecrets) {
      serviceAccounts.set(`${namespace}/${name}`, { namespace, name, imagePullSecrets, resourceVersion: String(++rv) });
    },
    setNamespace(name, labels = {}) {
      namespaces.set(name, { name, labels, resourceVersion: String(++rv) });
    },
    failNext(code) { failures.push(code); },
    hang(on) { hanging = on; },
    activeWatches: () => [...watchers.values()].reduce((n, s) => n + s.size, 0),

    readSecret: (namespace, name, signal) => read(`secret ${namespace}/${name}`, signal, () => secrets.get(`${namespace}/${name}`)),
    readServiceAccount: (namespace, name, signal) => read(`serviceaccount ${namespace}/${name}`, signal, () => serviceAccounts.get(`${namespace}/${name}`)),
    readNamespace: (name, signal) => read(`namespace ${name}`, signal, () => namespaces.get(name)),
    watchSecret(namespace, name, onState) {
      const key = `${namespace}/${name}`;
      let set = watchers.get(key);
      if (!set) { set = new Set(); watchers.set(key, set); }
      set.add(onState);
      // Like the real loop: the state after the initial list, asynchronously.
      queueMicrotask(() => { if (set.has(onState)) onState(secrets.get(key)); });
      return () => { set.delete(onState); };
    },
  };
}
