import { describe, expect, it } from '@jest/globals';
import { CodedError, ConfigError } from '../../../src/shared/coded-error.js';

describe('CodedError', () => {
  it('carries a code, a message and the cause', () => {
    const cause = new Error('inner');
    const err = new CodedError('SOME_CODE', 'outer', { cause });
    expect(err).toMatchObject({ code: 'SOME_CODE', message: 'outer', name: 'CodedError' });
    expect(err.cause).toBe(cause);
  });

  it('names the config field in a ConfigError', () => {
    const err = new ConfigError('INVALID_CONFIG', 'server.port', 'must be a number');
    expect(err.message).toBe('server.port: must be a number');
    expect(err.path).toBe('server.port');
  });
});
