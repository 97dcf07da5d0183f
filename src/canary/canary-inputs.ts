/**
 * The canary's built-in policy inputs (SPEC "Policy" input shape): what the pipeline hands the
 * policy for an unsigned image, for an image whose only signature failed to verify, and for
 * an image with one valid Notation signature. No registry is involved: they are fixed facts,
 * so a policy that admits the first two admits every unsigned image.
 */
import type { PolicyInput } from '../policy/types.js';
import type { VerifierResult } from '../verifiers/verifier.js';

/** A check the canary runs; `expect` is what a safe policy decides. */
export interface CanaryCase {
  readonly check: CanaryCheck;
  readonly expect: 'deny' | 'allow';
  readonly input: PolicyInput;
}

export const CANARY_CHECKS = ['unsigned', 'invalid-signature', 'signed'] as const;
export type CanaryCheck = (typeof CANARY_CHECKS)[number];

/** Never a real host: `.invalid` is reserved (RFC 2606), so the canary never names a real image. */
export const CANARY_REGISTRY = 'canary.portcullis.invalid';
export const CANARY_REPOSITORY = 'portcullis/canary';
const DIGEST = `sha256:${'0'.repeat(64)}`;
export const CANARY_REFERENCE = `${CANARY_REGISTRY}/${CANARY_REPOSITORY}:known-bad@${DIGEST}`;

const signature = (valid: boolean): VerifierResult => ({
  verifier: 'portcullis-canary',
  type: 'notation',
  artifactType: 'application/vnd.cncf.notary.signature',
  referrer: { digest: `sha256:${'1'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: {} },
  valid,
  message: valid ? 'signed by CN=portcullis-canary' : 'signature is not valid: no trusted certificate chain',
  details: {},
  nested: [],
  ...(valid ? {} : { error: { code: 'UNTRUSTED_CHAIN', message: 'the certificate chain does not lead to a trusted root' } }),
});

function input(namespace: string, tag: string, results: VerifierResult[]): PolicyInput {
  return {
    subject: {
      reference: `${CANARY_REGISTRY}/${CANARY_REPOSITORY}:${tag}@${DIGEST}`, registry: CANARY_REGISTRY, repository: CANARY_REPOSITORY,
      tag, digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'amd64' },
    },
    request: {
      uid: 'portcullis-canary', operation: 'CREATE', namespace,
      kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'portcullis-canary',
      userInfo: { username: 'system:serviceaccount:portcullis:canary', groups: ['system:authenticated'] },
    },
    results,
    errors: [],
  };
}

/** The three cases for one namespace. */
export function canaryCases(namespace: string): CanaryCase[] {
  return [
    { check: 'unsigned', expect: 'deny', input: input(namespace, 'known-bad', []) },
    { check: 'invalid-signature', expect: 'deny', input: input(namespace, 'known-bad', [signature(false)]) },
    { check: 'signed', expect: 'allow', input: input(namespace, 'known-good', [signature(true)]) },
  ];
}
