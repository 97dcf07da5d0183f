import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../../src/config/load-config.js';
import { parseDuration } from '../../../src/webhook-certs/parse-duration.js';

const parse = (selfManaged: Record<string, unknown>) => () => parseConfig({ tls: { selfManaged } }, { baseDir: '/etc/portcullis' });

describe('parseDuration', () => {
  it('reads one or more <integer><unit> parts', () => {
    expect(parseDuration('2160h')).toBe(2160 * 3_600_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('3s')).toBe(3_000);
  });

  it.each(['', '10', 'h', '1.5h', '-1h', '1w', '1h 30m', '9999999999h', '1s1s1s1s1s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('tls.selfManaged', () => {
  it('is off by default, with durations in milliseconds', () => {
    const c = parseConfig({}, { baseDir: '/' }).tls.selfManaged;
    expect(c).toMatchObject({
      enabled: false, secretName: 'portcullis-webhook-tls', namespace: 'portcullis-system', serviceName: 'portcullis',
      webhookConfigurations: { validating: 'portcullis', mutating: 'portcullis' },
      caValidity: 8760 * 3_600_000, certValidity: 2160 * 3_600_000, renewBefore: 720 * 3_600_000, overlap: 300_000,
      leaseName: 'portcullis-webhook-certs',
    });
  });

  it('names a malformed duration', () => {
    expect(parse({ overlap: 'soon' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', path: 'tls.selfManaged.overlap' }));
  });

  it('refuses a renewBefore that a serving certificate never lives to', () => {
    expect(parse({ certValidity: '10h', renewBefore: '10h' })).toThrow(expect.objectContaining({ path: 'tls.selfManaged.renewBefore' }));
  });

  it('refuses an overlap a rotation cannot finish in before the old CA expires', () => {
    expect(parse({ renewBefore: '10m', overlap: '5m' })).toThrow(expect.objectContaining({ path: 'tls.selfManaged.overlap' }));
  });

  it('refuses a Lease shorter than two checks', () => {
    expect(parse({ checkInterval: '10s', leaseDuration: '15s' })).toThrow(expect.objectContaining({ path: 'tls.selfManaged.leaseDuration' }));
  });

  it('refuses a Secret name that is not a Kubernetes name', () => {
    expect(parse({ secretName: 'Not_A_Name' })).toThrow(expect.objectContaining({ path: 'tls.selfManaged.secretName' }));
  });

  it('accepts short test settings and null to leave a webhook kind alone', () => {
    const c = parseConfig({ tls: { selfManaged: { enabled: true, caValidity: '60s', certValidity: '60s', renewBefore: '30s', overlap: '3s', checkInterval: '1s', leaseDuration: '3s', webhookConfigurations: { mutating: null } } } }, { baseDir: '/' });
    expect(c.tls.selfManaged).toMatchObject({ enabled: true, overlap: 3_000, checkInterval: 1_000, webhookConfigurations: { validating: 'portcullis', mutating: null } });
  });
});
