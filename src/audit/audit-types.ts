/**
 * The audit's nouns: the objects it reads from the API server (input, untrusted), one result
 * per image per object, and the port it reads and writes the cluster through.
 */
import type { ValidationMode } from '../admission/ports.js';

/** A Pod or a top-level pod-template owner, as listed. */
export interface AuditedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly serviceAccountName?: string | undefined;
  readonly imagePullSecrets: readonly string[];
  /** Unique images of its pod spec, first-seen order. */
  readonly images: readonly string[];
}

/** PolicyReport result values (wgpolicyk8s.io/v1alpha2 PolicyResult). */
export type AuditOutcome = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface AuditResult {
  readonly object: AuditedObject;
  readonly image: string;
  readonly outcome: AuditOutcome;
  /** For `fail`/`warn`: the line a denial of this image gives (`image "…" denied: …`). */
  readonly message: string;
  readonly mode: ValidationMode;
  readonly summary: string;
}

/** A problem that kept part of the cluster from being audited (listed in the ClusterPolicyReport). */
export interface AuditProblem {
  readonly message: string;
}

export interface AuditScan {
  readonly at: Date;
  readonly results: readonly AuditResult[];
  readonly problems: readonly AuditProblem[];
}

/** What the audit needs from the API server. */
export interface AuditCluster {
  /** Lists one kind cluster-wide, at most `limit` objects. */
  list(apiVersion: string, kind: string, limit: number, signal: AbortSignal): Promise<{ items: Record<string, unknown>[]; truncated: boolean }>;
  /** Creates or replaces the reports, and deletes Portcullis' reports in namespaces not given. */
  writeReports(reports: readonly Record<string, unknown>[], cluster: Record<string, unknown>, signal: AbortSignal): Promise<void>;
}
