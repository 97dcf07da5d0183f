/**
 * Decodes and checks an AdmissionReview body (admission.k8s.io/v1). Every problem is an
 * AdmissionError, answered with HTTP 400 and its message; nothing here throws anything else.
 */
import { AdmissionError } from './admission-error.js';
import { checkJsonDepth } from './check-json-depth.js';
import { ADMISSION_API_VERSION, type AdmissionRequest } from './types.js';
import { isObject } from '../shared/is-object.js';

export interface DecodeOptions {
  maxDepth: number;
}

export function decodeAdmissionReview(body: Buffer | string, options: DecodeOptions): AdmissionRequest {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  checkJsonDepth(text, options.maxDepth);
  let review: unknown;
  try {
    review = JSON.parse(text);
  } catch (cause) {
    throw new AdmissionError('NOT_JSON', `body is not JSON: ${(cause as Error).message}`);
  }
  if (!isObject(review)) throw new AdmissionError('NOT_AN_OBJECT', 'body is not a JSON object');
  if (review.apiVersion !== ADMISSION_API_VERSION) {
    throw new AdmissionError('BAD_API_VERSION', `apiVersion must be ${ADMISSION_API_VERSION}, got ${show(review.apiVersion)}`);
  }
  if (review.kind !== 'AdmissionReview') throw new AdmissionError('BAD_KIND', `kind must be AdmissionReview, got ${show(review.kind)}`);
  const r = review.request;
  if (!isObject(r)) throw new AdmissionError('NO_REQUEST', 'AdmissionReview has no request');
  if (typeof r.uid !== 'string' || r.uid === '') throw new AdmissionError('NO_UID', 'request.uid is missing or not a string');
  if (!isObject(r.kind) || typeof r.kind.kind !== 'string') throw new AdmissionError('BAD_REQUEST_FIELD', 'request.kind.kind is missing or not a string');
  const userInfo = isObject(r.userInfo) ? r.userInfo : {};
  const groups = Array.isArray(userInfo.groups) ? userInfo.groups.filter((g): g is string => typeof g === 'string') : [];
  const resource = isObject(r.resource) ? {
    group: str(r.resource.group), version: str(r.resource.version), resource: str(r.resource.resource),
  } : undefined;
  return {
    uid: r.uid,
    kind: { group: str(r.kind.group), version: str(r.kind.version), kind: r.kind.kind },
    resource,
    subResource: optionalString(r.subResource, 'subResource'),
    name: optionalString(r.name, 'name') ?? '',
    namespace: optionalString(r.namespace, 'namespace') ?? '',
    operation: optionalString(r.operation, 'operation') ?? '',
    userInfo: { username: str(userInfo.username), groups },
    object: r.object ?? null,
    oldObject: r.oldObject ?? null,
    dryRun: r.dryRun === true,
  };
}


function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AdmissionError('BAD_REQUEST_FIELD', `request.${field} must be a string`);
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
