/** admission.k8s.io/v1 AdmissionReview, as much of it as Portcullis reads and writes. */

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource?: { group: string; version: string; resource: string } | undefined;
  readonly subResource?: string | undefined;
  readonly name: string;
  readonly namespace: string;
  readonly operation: string;
  readonly userInfo: { readonly username: string; readonly groups: readonly string[] };
  readonly object: unknown;
  readonly oldObject: unknown;
  readonly dryRun: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch document. */
  patch?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export interface JsonPatchReplace {
  op: 'replace';
  path: string;
  value: string;
}

export type Webhook = 'mutate' | 'validate';
