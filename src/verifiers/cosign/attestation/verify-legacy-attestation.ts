import { CosignError } from '../cosign-error.js';
import type { LegacyLayer } from '../legacy/read-legacy-signatures.js';
import { toLegacySignedEntity } from '../legacy/to-legacy-signed-entity.js';
import { verifySignedEntity, type CosignPolicy, type SignatureOutcome } from '../verify-signed-entity.js';
import { checkStatement, DEFAULT_STATEMENT_LIMITS, readInTotoStatement, type InTotoStatement, type StatementChecks } from './read-in-toto-statement.js';

export interface AttestationOutcome extends SignatureOutcome {
  readonly predicateType?: string | undefined;
  /** The signed statement; set only when the signature is valid. */
  readonly statement?: InTotoStatement | undefined;
}

/**
 * Verifies one layer of a `.att` manifest: the envelope's statement must be about this image
 * (and of an accepted predicate type), then its signature is checked like a `.sig` layer's.
 */
export function verifyLegacyAttestation(layer: LegacyLayer, subjectDigest: string, policy: CosignPolicy, checks: StatementChecks): AttestationOutcome {
  if ('error' in layer) return failed(layer.error, undefined);
  let predicateType: string | undefined;
  try {
    const envelope = layer.signature.envelope;
    if (!envelope) throw new CosignError('MALFORMED', `layer ${layer.index} holds no DSSE envelope`);
    const statement = readInTotoStatement(envelope.payloadType, envelope.payload, checks.statementLimits ?? DEFAULT_STATEMENT_LIMITS);
    predicateType = statement.predicateType;
    checkStatement(statement, subjectDigest, checks.predicateTypes);
    const outcome = verifySignedEntity(toLegacySignedEntity(layer.signature), policy);
    return { ...outcome, predicateType, ...(outcome.valid ? { statement } : {}) };
  } catch (err) {
    return failed(err instanceof CosignError ? err : new CosignError('MALFORMED', (err as Error).message, { cause: err }), predicateType);
  }
}

function failed(e: CosignError, predicateType: string | undefined): AttestationOutcome {
  return { valid: false, failedCheck: e.code, message: `${e.code}: ${e.message}`, tlog: null, predicateType };
}
