import { describe, expect, it } from '@jest/globals';
import { checkRealm } from '../../../src/oci/auth-transport.js';

describe('checkRealm', () => {
  const insecure = new Set(['127.0.0.1:5001']);
  it('accepts an https realm on any host (TLS-verified, as Docker Hub uses auth.docker.io)', () => {
    expect(checkRealm('https://auth.docker.io/token', insecure).host).toBe('auth.docker.io');
  });
  it('accepts a plain-HTTP realm on a host listed as insecure', () => {
    expect(checkRealm('http://127.0.0.1:5001/token', insecure).href).toBe('http://127.0.0.1:5001/token');
  });
  it.each([
    'http://127.0.0.1:5002/token',
    'http://evil.example/token',
    'file:///etc/passwd',
    'not a url',
    undefined,
  ])('refuses %j with REALM_REFUSED', (realm) => {
    expect(() => checkRealm(realm, insecure)).toThrow(expect.objectContaining({ code: 'REALM_REFUSED' }));
  });
});
