import { describe, expect, it } from '@jest/globals';
import { parseWwwAuthenticate } from '../../../src/oci/www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('parses a distribution bearer challenge', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });

  it('parses a basic challenge with a realm', () => {
    expect(parseWwwAuthenticate('Basic realm="portcullis-test"')).toEqual([{ scheme: 'basic', params: { realm: 'portcullis-test' } }]);
  });

  it('parses several challenges and unquoted values', () => {
    expect(parseWwwAuthenticate('Basic realm=r1, Bearer realm="https://a/t", service=svc')).toEqual([
      { scheme: 'basic', params: { realm: 'r1' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'svc' } },
    ]);
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    expect(parseWwwAuthenticate('Bearer scope="repository:a:pull,push",realm="x\\"y"')[0]?.params).toEqual({ scope: 'repository:a:pull,push', realm: 'x"y' });
  });

  it('lower-cases scheme and parameter names', () => {
    expect(parseWwwAuthenticate('BEARER Realm="https://a"')[0]).toEqual({ scheme: 'bearer', params: { realm: 'https://a' } });
  });

  it('returns nothing for an absent or garbage header, without throwing', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(() => parseWwwAuthenticate('"""===,,,\u0000')).not.toThrow();
    expect(() => parseWwwAuthenticate(`Bearer realm="${'x'.repeat(100_000)}`)).not.toThrow();
  });
});
