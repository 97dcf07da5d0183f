/**
 * Trust material sources: where certificates and public keys come from (PEM/DER files,
 * folders, Kubernetes Secrets). Verifiers get the parsed material at construction and again
 * whenever a source reports a change, so verification itself stays free of I/O.
 */
export interface TrustMaterial {
  /** Where it came from, for messages: a file path or `secret:<namespace>/<name>/<key>`. */
  readonly origin: string;
  readonly bytes: Uint8Array;
}

export interface TrustMaterialSource {
  /** A stable description, e.g. `file:/etc/portcullis/ca.pem` or `secret:portcullis/release-ca`. */
  readonly id: string;
  load(signal?: AbortSignal): Promise<TrustMaterial[]>;
  /** Calls `onChange` after the material changed; returns an unsubscribe function. */
  watch(onChange: () => void): () => void;
}
