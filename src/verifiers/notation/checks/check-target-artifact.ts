/**
 * The signed payload must name the subject being admitted:
 * https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#payload
 */
import { failed, passed, type CheckFinding } from './check-result.js';

export interface TargetDescriptor {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

const MAX_PAYLOAD = 256 * 1024;

export function checkTargetArtifact(payload: Uint8Array, subject: TargetDescriptor): CheckFinding {
  if (payload.length > MAX_PAYLOAD) return failed('MALFORMED_ENVELOPE', 'signed payload is too large');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return failed('MALFORMED_ENVELOPE', 'signed payload is not JSON');
  }
  const t = (doc as { targetArtifact?: unknown } | null)?.targetArtifact as Record<string, unknown> | undefined;
  if (typeof t !== 'object' || t === null || typeof t.digest !== 'string' || typeof t.mediaType !== 'string' || typeof t.size !== 'number') {
    return failed('MALFORMED_ENVELOPE', 'signed payload has no valid targetArtifact descriptor');
  }
  const mismatches: string[] = [];
  if (t.digest !== subject.digest) mismatches.push(`digest ${t.digest} ≠ ${subject.digest}`);
  if (t.mediaType !== subject.mediaType) mismatches.push(`media type ${t.mediaType} ≠ ${subject.mediaType}`);
  if (t.size !== subject.size) mismatches.push(`size ${t.size} ≠ ${subject.size}`);
  if (mismatches.length > 0) return failed('TARGET_MISMATCH', `the signature is for another artifact: ${mismatches.join(', ')}`);
  return passed(`signed payload names ${subject.digest}`);
}
