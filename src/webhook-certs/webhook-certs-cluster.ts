/**
 * The Kubernetes I/O of self-managed certificates, as a port (the composition root injects
 * createKubeWebhookCertsCluster; unit tests a fake from test/helpers). Every call takes the
 * caller's AbortSignal and is bounded by the implementation; failures reject with a
 * WebhookCertsError (`CONFLICT` on a lost optimistic-concurrency race).
 */
import type { LeaseSpec } from './plan-lease.js';
import type { WebhookKind } from './plan-cert-rotation.js';

export interface StoredSecret {
  readonly resourceVersion: string;
  /** Decoded `data` values. */
  readonly data: Readonly<Record<string, Uint8Array>>;
}

export interface StoredLease {
  readonly resourceVersion: string;
  readonly spec: LeaseSpec;
}

export interface StoredWebhookConfiguration {
  /** Each webhook's name and `clientConfig.caBundle` (base64, as stored; '' when unset), in order. */
  readonly webhooks: readonly { readonly name: string; readonly caBundle: string }[];
}

export interface WebhookCertsCluster {
  /** The Secret, or undefined when it does not exist. */
  readSecret(signal: AbortSignal): Promise<StoredSecret | undefined>;
  /** Creates the Secret (`resourceVersion` undefined) or replaces the version read. */
  writeSecret(data: Readonly<Record<string, string>>, resourceVersion: string | undefined, signal: AbortSignal): Promise<void>;
  /** Follows the Secret: `onState` after every (re)list and change; returns a stop function. */
  watchSecret(onState: (secret: StoredSecret | undefined) => void): () => void;
  readWebhookConfiguration(kind: WebhookKind, name: string, signal: AbortSignal): Promise<StoredWebhookConfiguration | undefined>;
  /**
   * Sets `caBundle` (base64) on the webhooks of `read`, each by index guarded by a test of its
   * name, so a configuration changed since it was read is refused (`CONFLICT`), not corrupted.
   */
  patchCaBundle(kind: WebhookKind, name: string, read: StoredWebhookConfiguration, caBundle: string, signal: AbortSignal): Promise<void>;
  readLease(signal: AbortSignal): Promise<StoredLease | undefined>;
  /** Creates the Lease (`resourceVersion` undefined) or replaces the version read. */
  writeLease(spec: LeaseSpec, resourceVersion: string | undefined, signal: AbortSignal): Promise<void>;
}
