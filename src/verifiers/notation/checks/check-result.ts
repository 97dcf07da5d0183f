import type { NotationErrorCode } from '../notation-error.js';

/** What a single check found, before the trust policy decides whether it is enforced or logged. */
export type CheckFinding = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly code: NotationErrorCode; readonly message: string };

export const passed = (message: string): CheckFinding => ({ ok: true, message });
export const failed = (code: NotationErrorCode, message: string): CheckFinding => ({ ok: false, code, message });
