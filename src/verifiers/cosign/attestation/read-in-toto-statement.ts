/**
 * Reads the in-toto statement a DSSE envelope carries
 * (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md; v0.1 has the same
 * fields). The statement and its predicate come from the registry: they are parsed within a
 * size and nesting bound (`StatementLimits`) before anything looks at them, and only reach the
 * policy once the envelope's signature has verified.
 */
import { parseBoundedJson } from '../../../shared/json/parse-bounded-json.js';
import { JsonError } from '../../../shared/json/json-error.js';
import { CosignError } from '../cosign-error.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPE_PREFIX = 'https://in-toto.io/Statement/';
/** More subjects than any real statement names; a longer list is refused, not truncated. */
const MAX_SUBJECTS = 1024;

export interface StatementLimits {
  /** Largest statement (the decoded DSSE payload), in bytes. */
  readonly maxBytes: number;
  /** Deepest nesting of the statement, counting the statement object as 1. */
  readonly maxDepth: number;
}

/** What a statement must satisfy besides being about the subject (verifier options). */
export interface StatementChecks {
  /** In-toto predicate types accepted; absent: any. */
  readonly predicateTypes?: readonly string[] | undefined;
  readonly statementLimits?: StatementLimits | undefined;
}

export const DEFAULT_STATEMENT_LIMITS: StatementLimits = { maxBytes: 1024 * 1024, maxDepth: 32 };

export interface StatementSubject {
  readonly name?: string | undefined;
  /** Lower-case hex SHA-256, when the subject gives one. */
  readonly sha256?: string | undefined;
}

export interface InTotoStatement {
  /** `_type`, e.g. `https://in-toto.io/Statement/v1`. */
  readonly type: string;
  readonly predicateType: string | undefined;
  readonly subjects: readonly StatementSubject[];
  /** Plain JSON data within the limits; `null` when the statement has none. */
  readonly predicate: unknown;
}

export function readInTotoStatement(payloadType: string, payload: Uint8Array, limits: StatementLimits): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new CosignError('UNSUPPORTED', `DSSE payload type ${payloadType}, expected ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  let json: unknown;
  try {
    json = parseBoundedJson(payload, limits);
  } catch (err) {
    const e = err as JsonError;
    if (err instanceof JsonError && (e.code === 'TOO_LARGE' || e.code === 'TOO_DEEP')) {
      throw new CosignError('STATEMENT_TOO_LARGE', `the in-toto statement is refused: ${e.message} (verifier option statementLimits)`, { cause: err });
    }
    throw new CosignError('MALFORMED', `the in-toto statement: ${(err as Error).message}`, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CosignError('MALFORMED', 'the in-toto statement is not a JSON object');
  const s = json as Record<string, unknown>;
  if (typeof s._type !== 'string' || !s._type.startsWith(STATEMENT_TYPE_PREFIX)) {
    throw new CosignError('MALFORMED', `the DSSE payload is not an in-toto statement (_type ${JSON.stringify(s._type)?.slice(0, 100)})`);
  }
  if (!Array.isArray(s.subject)) throw new CosignError('MALFORMED', 'the in-toto statement has no subject list');
  if (s.subject.length > MAX_SUBJECTS) throw new CosignError('STATEMENT_TOO_LARGE', `the in-toto statement names ${s.subject.length} subjects, more than ${MAX_SUBJECTS}`);
  return {
    type: s._type,
    predicateType: typeof s.predicateType === 'string' ? s.predicateType : undefined,
    subjects: (s.subject as unknown[]).map(readSubject),
    predicate: Object.hasOwn(s, 'predicate') ? s.predicate : null,
  };
}

function readSubject(raw: unknown): StatementSubject {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as { name?: unknown; digest?: unknown };
  const digest = (typeof s.digest === 'object' && s.digest !== null ? s.digest : {}) as { sha256?: unknown };
  return {
    ...(typeof s.name === 'string' ? { name: s.name } : {}),
    ...(typeof digest.sha256 === 'string' ? { sha256: digest.sha256.toLowerCase() } : {}),
  };
}

/**
 * The statement must be about the image being admitted (one of its subjects carries the
 * image's sha256) and, when predicate types are configured, be of one of them. A statement
 * about another image is refused even when its signature is good: it says nothing of this one.
 */
export function checkStatement(statement: InTotoStatement, subjectDigest: string, predicateTypes: readonly string[] | undefined): void {
  const [algorithm, hex] = subjectDigest.split(':');
  if (algorithm !== 'sha256' || !hex) throw new CosignError('UNSUPPORTED', `subject digest ${subjectDigest} is not sha256`);
  if (!statement.subjects.some((s) => s.sha256 === hex)) {
    const named = statement.subjects.flatMap((s) => (s.sha256 ? [`sha256:${s.sha256.slice(0, 64)}`] : [])).slice(0, 3).join(', ');
    throw new CosignError('PAYLOAD_DIGEST_MISMATCH', `the signed statement is about ${named || 'no sha256 subject'}, not ${subjectDigest}`);
  }
  if (predicateTypes && !predicateTypes.includes(statement.predicateType ?? '')) {
    throw new CosignError('PREDICATE_TYPE_MISMATCH', `predicate type ${statement.predicateType?.slice(0, 200) ?? '(none)'} is not one of ${predicateTypes.join(', ')}`);
  }
}
