import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope } from '../../../../src/verifiers/notation/envelope/parse-envelope.js';
import { NotationError } from '../../../../src/verifiers/notation/notation-error.js';
import { verifyTimestampToken } from '../../../../src/verifiers/notation/timestamp/verify-timestamp-token.js';
import { parseCertificates } from '../../../../src/trust/parse-certificates.js';
import { VECTORS } from '../../../helpers/tools.js';

const GO = join(VECTORS, 'notation-go/verifier/testdata');
const env = parseEnvelope('application/jose+json', readFileSync(join(GO, 'timestamp/sigEnv/jwsWithTimestamp.sig')));
const token = Buffer.from(env.timestampToken!);
const tsaRoots = parseCertificates(readFileSync(join(GO, 'truststore/x509/tsa/test-timestamp/globalsignRoot.cer')), 'globalsignRoot.cer');

describe('verifyTimestampToken', () => {
  it('verifies the token of a notation-go envelope over its signature', () => {
    const ts = verifyTimestampToken(token, env.signature, tsaRoots);
    expect(ts.genTime.toISOString()).toMatch(/^2024-06-18T06:29/);
    expect(ts.latest.getTime()).toBeGreaterThanOrEqual(ts.earliest.getTime());
    expect(ts.tsaChain[ts.tsaChain.length - 1]!.raw.equals(tsaRoots[0]!.raw)).toBe(true);
  });
  it('refuses it over another signature value (TIMESTAMP_INVALID)', () => {
    expect(() => verifyTimestampToken(token, Buffer.from('other'), tsaRoots)).toThrow(expect.objectContaining({ code: 'TIMESTAMP_INVALID' }));
  });
  it('refuses it without trusted roots (TIMESTAMP_UNTRUSTED)', () => {
    expect(() => verifyTimestampToken(token, env.signature, [])).toThrow(expect.objectContaining({ code: 'TIMESTAMP_UNTRUSTED' }));
  });
  it('refuses oversized input before parsing', () => {
    expect(() => verifyTimestampToken(Buffer.alloc(70_000, 0x30), env.signature, tsaRoots)).toThrow(expect.objectContaining({ code: 'TIMESTAMP_INVALID' }));
  });
  it('only ever throws a NotationError on 1000 single-byte mutations (no crash, no other error)', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 1000; i++) {
      const bytes = Buffer.from(token);
      const at = Math.floor(random() * bytes.length);
      bytes[at] = (bytes[at]! + 1 + Math.floor(random() * 255)) & 0xff;
      try {
        verifyTimestampToken(bytes, env.signature, tsaRoots);
      } catch (e) {
        expect(e).toBeInstanceOf(NotationError);
      }
    }
  });
});
