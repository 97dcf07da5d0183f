import { describe, expect, it } from '@jest/globals';
import { applyCertStep } from '../../../src/webhook-certs/apply-cert-step.js';
import { SECRET_KEYS, type CertState } from '../../../src/webhook-certs/cert-state.js';
import { certMinter } from '../../../src/webhook-certs/mint-certs.js';
import { parseCertSecret } from '../../../src/webhook-certs/parse-cert-secret.js';
import { serializeCertState } from '../../../src/webhook-certs/serialize-cert-state.js';

const T0 = new Date();
const settings = { caValidityMs: 3_600_000, certValidityMs: 3_600_000, names: ['portcullis.portcullis-system.svc', '::1'] };
const state = applyCertStep(undefined, { kind: 'bootstrap' }, T0, certMinter, settings) as CertState;
const rotating = applyCertStep({ ...state, publishedAt: T0 }, { kind: 'new-ca' }, T0, certMinter, settings) as CertState;
const other = applyCertStep(undefined, { kind: 'bootstrap' }, T0, certMinter, settings) as CertState;

const bytes = (data: Record<string, string | Uint8Array>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]));
const good = serializeCertState(rotating);
const withData = (change: Record<string, string | Uint8Array | undefined>) => {
  const d: Record<string, string | Uint8Array> = { ...good };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete d[k]; else d[k] = v;
  return () => parseCertSecret(bytes(d));
};
const refused = (key: string) => expect.objectContaining({ code: 'INVALID_SECRET', message: expect.stringContaining(key) });

describe('parseCertSecret', () => {
  it('reads back what serializeCertState wrote', () => {
    const parsed = parseCertSecret(bytes(good)) as CertState;
    expect(parsed.ca.fingerprint).toBe(rotating.ca.fingerprint);
    expect(parsed.next?.fingerprint).toBe(rotating.next?.fingerprint);
    expect(parsed.bundle.map((c) => c.fingerprint)).toEqual(rotating.bundle.map((c) => c.fingerprint));
    expect(parsed.serving.issuer).toBe(rotating.ca.fingerprint);
    expect(parsed.serving.names).toEqual(['0:0:0:0:0:0:0:1', 'portcullis.portcullis-system.svc']);
    expect(parsed.publishedAt).toBeUndefined();
  });

  it('treats an absent Secret, or one holding none of its keys, as nothing there yet', () => {
    expect(parseCertSecret(undefined)).toBeUndefined();
    expect(parseCertSecret({})).toBeUndefined();
    expect(parseCertSecret(bytes({ unrelated: 'x' }))).toBeUndefined();
  });

  describe('refuses hostile or garbled content with INVALID_SECRET naming the key, never the content', () => {
    it.each([
      ['a missing key', { [SECRET_KEYS.key]: undefined }, SECRET_KEYS.key],
      ['binary junk as the CA', { [SECRET_KEYS.caCert]: new Uint8Array([0, 0xff, 0x30, 0x82, 1, 2]) }, SECRET_KEYS.caCert],
      ['a truncated certificate', { [SECRET_KEYS.cert]: good[SECRET_KEYS.cert]?.slice(0, 400) + '\n-----END CERTIFICATE-----\n' }, SECRET_KEYS.cert],
      ['two certificates as the CA', { [SECRET_KEYS.caCert]: `${state.ca.pem}${other.ca.pem}` }, SECRET_KEYS.caCert],
      ['a leaf as the CA', { [SECRET_KEYS.caCert]: good[SECRET_KEYS.cert] }, SECRET_KEYS.caCert],
      ['a key that is not a PEM key', { [SECRET_KEYS.caKey]: 'hunter2' }, SECRET_KEYS.caKey],
      ['a PEM key of garbage', { [SECRET_KEYS.key]: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }, SECRET_KEYS.key],
      ['another CA\'s key', { [SECRET_KEYS.caKey]: other.ca.keyPem }, SECRET_KEYS.caKey],
      ['another serving key', { [SECRET_KEYS.key]: other.serving.keyPem }, SECRET_KEYS.key],
      ['a serving certificate another CA signed', { [SECRET_KEYS.cert]: other.serving.certPem, [SECRET_KEYS.key]: other.serving.keyPem }, SECRET_KEYS.cert],
      ['a bundle without the CA', { [SECRET_KEYS.bundle]: other.ca.pem }, SECRET_KEYS.bundle],
      ['a bundle without the next CA', { [SECRET_KEYS.bundle]: rotating.ca.pem }, SECRET_KEYS.bundle],
      ['a bundle holding a leaf', { [SECRET_KEYS.bundle]: `${good[SECRET_KEYS.bundle]}${good[SECRET_KEYS.cert]}` }, SECRET_KEYS.bundle],
      ['a bundle of nine CAs', { [SECRET_KEYS.bundle]: `${good[SECRET_KEYS.bundle]}`.repeat(5) }, SECRET_KEYS.bundle],
      ['an empty bundle', { [SECRET_KEYS.bundle]: '' }, SECRET_KEYS.bundle],
      ['a next CA without its key', { [SECRET_KEYS.nextCaKey]: undefined }, SECRET_KEYS.nextCaKey],
      ['a value over 64 KiB', { [SECRET_KEYS.caCert]: 'A'.repeat(70_000) }, SECRET_KEYS.caCert],
      ['a timestamp that is not one', { [SECRET_KEYS.publishedAt]: 'yesterday' }, SECRET_KEYS.publishedAt],
      ['an impossible timestamp', { [SECRET_KEYS.switchedAt]: '2026-13-45T99:99:99Z' }, SECRET_KEYS.switchedAt],
    ])('%s', (_what, change, key) => {
      let thrown: unknown;
      try { withData(change)(); } catch (err) { thrown = err; }
      expect(thrown).toEqual(refused(key));
      expect((thrown as Error).message).not.toMatch(/PRIVATE KEY|MII/);
    });
  });

  it('never reaches Object.prototype through a key named __proto__', () => {
    const data = Object.create(null) as Record<string, Uint8Array>;
    Object.assign(data, bytes(good));
    Object.defineProperty(data, '__proto__', { value: Buffer.from('x'), enumerable: true });
    expect((parseCertSecret(data) as CertState).ca.fingerprint).toBe(rotating.ca.fingerprint);
    expect(parseCertSecret(JSON.parse('{"__proto__": {"ca.crt": "x"}}') as Record<string, Uint8Array>)).toBeUndefined();
  });

  it('survives random bytes under every key without throwing anything but INVALID_SECRET', () => {
    for (let i = 0; i < 50; i++) {
      const junk = Object.fromEntries(Object.values(SECRET_KEYS).map((k) => [k, Buffer.from(Array.from({ length: (i * 37) % 900 }, (_, j) => (i * 31 + j * 7) % 256))]));
      expect(() => parseCertSecret(junk)).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
    }
  });
});
