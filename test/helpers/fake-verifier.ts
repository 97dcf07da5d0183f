/** A Verifier for unit tests: decides from the artifact's first blob text; records every call. */
import type { ReferrerArtifact, Subject, Verifier, VerifierResult, VerifierType, VerifyContext } from '../../src/verifiers/verifier.js';
import { verifierResult } from '../../src/verifiers/verifier.js';

export interface FakeVerifier extends Verifier {
  readonly calls: Array<{ subject: Subject; artifact: ReferrerArtifact; ctx: VerifyContext }>;
  /** Changes what configHash() returns (as a config or trust-material change would). */
  setConfigHash(hash: string): void;
}

export interface FakeVerifierOptions {
  name: string;
  type: VerifierType;
  artifactTypes: string[];
  nestedRequirement?: { verifiers: string[] };
  appliesTo?: (subject: Subject) => boolean;
  /** Default: valid when the first blob's text is `good`. */
  decide?: (text: string, ctx: VerifyContext) => { valid: boolean; message: string; error?: { code: string; message: string }; expiresAt?: string } | 'throw' | 'hang';
}

export function createFakeVerifier(options: FakeVerifierOptions): FakeVerifier {
  let hash = 'config-1';
  const calls: FakeVerifier['calls'] = [];
  const decide = options.decide ?? ((text) => (text === 'good' ? { valid: true, message: `signed by ${options.name}` } : { valid: false, message: `bad signature: ${text}` }));
  return {
    name: options.name,
    type: options.type,
    artifactTypes: options.artifactTypes,
    ...(options.nestedRequirement ? { nestedRequirement: options.nestedRequirement } : {}),
    ...(options.appliesTo ? { appliesTo: options.appliesTo } : {}),
    calls,
    configHash: () => hash,
    setConfigHash(h) { hash = h; },
    async verify(subject, artifact, ctx): Promise<VerifierResult> {
      calls.push({ subject, artifact, ctx });
      const text = artifact.blobs[0] ? Buffer.from(artifact.blobs[0].bytes).toString() : '';
      const d = decide(text, ctx);
      if (d === 'throw') throw Object.assign(new Error('envelope is not JSON'), { code: 'MALFORMED_ENVELOPE' });
      if (d === 'hang') return new Promise(() => undefined);
      return verifierResult(this, artifact, { ...d, details: { text } });
    },
  };
}
