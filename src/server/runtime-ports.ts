import type { ImagePinner, ImageValidator, NamespaceModeSource } from '../admission/ports.js';

/**
 * Everything the admission server reaches the rest of Portcullis through, built by
 * `buildPorts` (src/compose-ports.ts) and swapped as one unit when the config changes.
 */
export interface Ports {
  readonly pinner: ImagePinner;
  readonly validator: ImageValidator;
  /** The Namespace `portcullis.dev/mode` label; absent: config and the global mode only. */
  readonly namespaceModes?: NamespaceModeSource | undefined;
  /** Ready to serve (policy loaded, caches connected…): drives /readyz. */
  ready(): boolean;
  /** Detail lines for `/readyz?verbose` (`[+]check ok` / `[-]check failed: …`). */
  readiness?(): string[];
  /** Releases what the ports hold; called once their in-flight requests have finished. */
  close?(): Promise<void>;
}
