/** Policy input and output (SPEC "Policy"). One input per image; one decision per input. */
import type { VerifierResult } from '../verifiers/verifier.js';
import type { Platform } from '../oci/types.js';

export interface PolicySubject {
  reference: string;
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest: string;
  mediaType: string;
  platform?: Platform | undefined;
}

export interface PolicyRequest {
  uid: string;
  operation: string;
  namespace: string;
  kind: { group: string; version: string; kind: string };
  name: string;
  userInfo: { username: string; groups: string[] };
}

export interface PolicyInput {
  subject: PolicySubject;
  request: PolicyRequest;
  results: VerifierResult[];
  errors: Array<{ stage: string; message: string }>;
}

export interface PolicyDecision {
  allowed: boolean;
  reasons: string[];
  warnings: string[];
}

export interface PolicyEngine {
  evaluate(input: PolicyInput): Promise<PolicyDecision>;
}
