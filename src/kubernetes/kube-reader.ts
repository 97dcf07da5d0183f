/**
 * The narrow read-only port Portcullis uses to reach the Kubernetes API server. The real
 * implementation (createKubeReader) uses @kubernetes/client-node; unit tests inject a fake.
 */

export interface KubeSecret {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  /** e.g. `kubernetes.io/dockerconfigjson`, `Opaque`. */
  readonly type: string;
  /** Decoded values of `data` (and `stringData` is never returned by the API server). */
  readonly data: Readonly<Record<string, Uint8Array>>;
}

export interface KubeServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  /** Names of the Secrets in `imagePullSecrets`, in order. */
  readonly imagePullSecrets: readonly string[];
}

export interface KubeNamespace {
  readonly name: string;
  readonly resourceVersion: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface KubeReader {
  /** The Secret, or `undefined` when it does not exist. Other failures reject with a KubernetesError. */
  readSecret(namespace: string, name: string, signal: AbortSignal): Promise<KubeSecret | undefined>;
  readServiceAccount(namespace: string, name: string, signal: AbortSignal): Promise<KubeServiceAccount | undefined>;
  readNamespace(name: string, signal: AbortSignal): Promise<KubeNamespace | undefined>;
  /**
   * Follows one Secret: `onState` gets its current state after every (re)list and after each
   * change (`undefined` while it does not exist). Survives API server restarts (re-lists with
   * backoff). Returns a function that stops watching.
   */
  watchSecret(namespace: string, name: string, onState: (secret: KubeSecret | undefined) => void): () => void;
}
