import { CodedError } from '../coded-error.js';

export type JsonErrorCode = 'TOO_LARGE' | 'TOO_DEEP' | 'INVALID_UTF8' | 'INVALID_JSON';

/** A JSON document that was refused before or while parsing it. */
export class JsonError extends CodedError<JsonErrorCode> {}
