/**
 * The table of which validations each level enforces and which it only logs:
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details
 */
import type { ValidationAction, ValidationType, VerificationLevel } from './trust-policy.js';

export const LEVEL_ACTIONS: Readonly<Record<VerificationLevel, Readonly<Record<ValidationType, ValidationAction>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

export const VALIDATION_TYPES: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
