/** Why an image build (or a runtime bundle made from one) failed; tests assert the code. */
import { CodedError } from '../../src/shared/coded-error.js';

export type ImageBuildErrorCode =
  | 'TAR_FIELD_OVERFLOW' | 'TAR_BAD_PATH' | 'TAR_DUPLICATE_PATH'
  | 'UNSUPPORTED_FILE' | 'BAD_INPUTS' | 'INPUT_DIGEST_MISMATCH' | 'INPUT_UNAVAILABLE'
  | 'MISSING_BUILD' | 'COMMAND_FAILED' | 'BAD_LAYOUT';

export class ImageBuildError extends CodedError<ImageBuildErrorCode> {}
