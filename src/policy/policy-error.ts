import { CodedError } from '../shared/coded-error.js';

export type PolicyErrorCode =
  /** The `opa` binary is not installed (policy build). */
  | 'OPA_NOT_FOUND'
  /** `opa build` failed (Rego does not compile). */
  | 'BUILD_FAILED'
  /** The bundle is not a readable tar.gz with /policy.wasm and /data.json, or too large. */
  | 'INVALID_BUNDLE'
  /** The Wasm module does not load, or has no usable entrypoint. */
  | 'INVALID_WASM'
  /** The policy calls a built-in function the host does not supply. */
  | 'MISSING_BUILTIN'
  /** Evaluation aborted inside the Wasm module (e.g. a built-in raised an error). */
  | 'EVALUATION_FAILED'
  /** The policy gave no decision, or one not shaped {allowed, reasons, warnings}. */
  | 'INVALID_DECISION'
  /** No policy has been loaded yet. */
  | 'NOT_LOADED'
  /** The enforcement canary refused the policy: it admits a known-bad image in enforce mode. */
  | 'UNSAFE_POLICY';

/** A policy build, load or evaluation problem. Never turned into a silent "deny" or "allow". */
export class PolicyError extends CodedError<PolicyErrorCode> {}
