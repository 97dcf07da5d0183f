import { ADMISSION_API_VERSION, type AdmissionResponse, type AdmissionReviewResponse } from './types.js';

/** Kubernetes truncates long warnings; keep each short and their number bounded. */
export const MAX_WARNING_LENGTH = 256;
export const MAX_WARNINGS = 32;
export const MAX_ANNOTATION_LENGTH = 512;
/** Keep the denial message inside what kubectl users can read (and etcd events store). */
export const MAX_MESSAGE_LENGTH = 8192;

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function allowResponse(uid: string, extra: Partial<Omit<AdmissionResponse, 'uid' | 'allowed'>> = {}): AdmissionResponse {
  return tidy({ uid, allowed: true, ...extra });
}

export function denyResponse(uid: string, message: string, extra: Partial<Omit<AdmissionResponse, 'uid' | 'allowed' | 'status'>> = {}): AdmissionResponse {
  return tidy({ uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: truncate(message, MAX_MESSAGE_LENGTH) }, ...extra });
}

/**
 * The answer for an AdmissionReview whose envelope is fine but whose object Portcullis cannot
 * read (a container list that is not an array, an image that is not a string…): a denial in
 * every mode, never HTTP 400 — a webhook error is an allow under `failurePolicy: Ignore`.
 */
export function malformedObjectResponse(uid: string, message: string): AdmissionResponse {
  return tidy({ uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: truncate(`portcullis cannot read the object: ${message}`, MAX_MESSAGE_LENGTH) } });
}

export function reviewOf(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** Drops empty optional fields and caps warnings/annotations. */
function tidy(r: AdmissionResponse): AdmissionResponse {
  const out: AdmissionResponse = { ...r };
  if (out.warnings) {
    const w = [...new Set(out.warnings)];
    out.warnings = w.length > MAX_WARNINGS
      ? [...w.slice(0, MAX_WARNINGS - 1), `… and ${w.length - MAX_WARNINGS + 1} more warnings`]
      : w;
    out.warnings = out.warnings.map((x) => truncate(x, MAX_WARNING_LENGTH));
    if (out.warnings.length === 0) delete out.warnings;
  }
  if (out.auditAnnotations) {
    const a = Object.entries(out.auditAnnotations).map(([k, v]) => [k, truncate(v, MAX_ANNOTATION_LENGTH)] as const);
    if (a.length === 0) delete out.auditAnnotations;
    else out.auditAnnotations = Object.fromEntries(a);
  }
  if (out.patch === undefined) delete out.patchType;
  return out;
}
