import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCbor, CborTag } from '../../../../src/shared/cbor/decode-cbor.js';
import { parseEnvelope } from '../../../../src/verifiers/notation/envelope/parse-envelope.js';
import { VECTORS } from '../../../helpers/tools.js';

const SIG = join(VECTORS, 'notation-go/verifier/testdata/timestamp/sigEnv');
const jws = () => JSON.parse(readFileSync(join(SIG, 'jwsWithTimestamp.sig'), 'utf8')) as Record<string, unknown> & { protected: string; header: Record<string, unknown> };
const withProtected = (mut: (ph: Record<string, unknown>) => void) => {
  const env = jws();
  const ph = JSON.parse(Buffer.from(env.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
  mut(ph);
  env.protected = Buffer.from(JSON.stringify(ph)).toString('base64url');
  return Buffer.from(JSON.stringify(env));
};
const parseJws = (b: Uint8Array) => parseEnvelope('application/jose+json', b);

describe('parseEnvelope', () => {
  describe('JWS', () => {
    it('reads the signer info of a notation-go envelope', () => {
      const env = parseJws(readFileSync(join(SIG, 'jwsWithTimestamp.sig')));
      expect(env).toMatchObject({ envelopeType: 'jws', algorithm: 'PS256', signingScheme: 'notary.x509', expiry: undefined });
      expect(env.signingTime.toISOString()).toBe('2024-06-18T06:29:33.000Z');
      expect(env.certificateChain.length).toBeGreaterThan(0);
      expect(env.timestampToken?.length).toBeGreaterThan(100);
    });
    it.each([
      ['not JSON', Buffer.from('{'), 'MALFORMED_ENVELOPE'],
      ['the general serialization', Buffer.from(JSON.stringify({ ...jws(), signatures: [] })), 'MALFORMED_ENVELOPE'],
      ['no x5c', Buffer.from(JSON.stringify({ ...jws(), header: {} })), 'MALFORMED_ENVELOPE'],
      ['an x5c entry that is no certificate', Buffer.from(JSON.stringify({ ...jws(), header: { x5c: ['AAAA'] } })), 'MALFORMED_ENVELOPE'],
      ['algorithm RS256', withProtected((ph) => { ph.alg = 'RS256'; }), 'UNSUPPORTED_ALGORITHM'],
      ['algorithm none', withProtected((ph) => { ph.alg = 'none'; }), 'UNSUPPORTED_ALGORITHM'],
      ['another payload content type', withProtected((ph) => { ph.cty = 'application/json'; }), 'MALFORMED_ENVELOPE'],
      ['an unknown signing scheme', withProtected((ph) => { ph['io.cncf.notary.signingScheme'] = 'notary.other'; }), 'MALFORMED_ENVELOPE'],
      ['an unknown critical header', withProtected((ph) => { ph.crit = [...(ph.crit as string[]), 'x']; ph.x = 1; }), 'UNKNOWN_CRITICAL_HEADER'],
      ['a critical header that is absent', withProtected((ph) => { ph.crit = [...(ph.crit as string[]), 'io.cncf.notary.expiry']; }), 'MALFORMED_ENVELOPE'],
      ['an expiry not marked critical', withProtected((ph) => { ph['io.cncf.notary.expiry'] = '2030-01-01T00:00:00Z'; }), 'MALFORMED_ENVELOPE'],
      ['signingScheme not marked critical', withProtected((ph) => { ph.crit = ['io.cncf.notary.expiry']; ph['io.cncf.notary.expiry'] = '2030-01-01T00:00:00Z'; }), 'MALFORMED_ENVELOPE'],
      ['no crit at all', withProtected((ph) => { delete ph.crit; }), 'MALFORMED_ENVELOPE'],
      ['a signing time that is not RFC 3339', withProtected((ph) => { ph['io.cncf.notary.signingTime'] = 'yesterday'; }), 'MALFORMED_ENVELOPE'],
    ])('refuses %s', (_name, bytes, code) => {
      expect(() => parseJws(bytes)).toThrow(expect.objectContaining({ code }));
    });
  });

  describe('COSE', () => {
    it('reads the signer info of a notation-go envelope', () => {
      const env = parseEnvelope('application/cose', readFileSync(join(SIG, 'coseWithTimestamp.sig')));
      expect(env).toMatchObject({ envelopeType: 'cose', algorithm: 'PS256', signingScheme: 'notary.x509' });
      expect(env.signingTime.getUTCFullYear()).toBe(2024);
      expect(env.timestampToken?.length).toBeGreaterThan(100);
    });
    it('refuses an untagged COSE_Sign1', () => {
      const bytes = readFileSync(join(SIG, 'coseWithTimestamp.sig'));
      expect(decodeCbor(bytes)).toBeInstanceOf(CborTag);
      expect(() => parseEnvelope('application/cose', bytes.subarray(1))).toThrow(expect.objectContaining({ code: 'MALFORMED_ENVELOPE' }));
    });
    it('refuses truncated bytes with MALFORMED_ENVELOPE', () => {
      const bytes = readFileSync(join(SIG, 'coseWithTimestamp.sig'));
      for (const n of [0, 1, 10, 100, bytes.length - 1]) {
        expect(() => parseEnvelope('application/cose', bytes.subarray(0, n))).toThrow(expect.objectContaining({ code: 'MALFORMED_ENVELOPE' }));
      }
    });
  });

  it('refuses other media types with UNSUPPORTED_ENVELOPE', () => {
    expect(() => parseEnvelope('application/vnd.oci.image.layer.v1.tar', Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ENVELOPE' }));
  });
});
