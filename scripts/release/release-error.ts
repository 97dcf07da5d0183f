/** Why a release (scripts/release.sh) failed; tests assert the code. */
import { CodedError } from '../../src/shared/coded-error.js';

export type ReleaseErrorCode =
  | 'MISSING_INPUT' | 'BAD_INPUT' | 'COMMAND_FAILED' | 'REVISION_MISMATCH' | 'BAD_MANIFEST';

export class ReleaseError extends CodedError<ReleaseErrorCode> {}
