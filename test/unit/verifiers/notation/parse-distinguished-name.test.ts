import { describe, expect, it } from '@jest/globals';
import { isSubsetDn, missingMandatoryAttributes, parseDistinguishedName } from '../../../../src/verifiers/notation/x509/parse-distinguished-name.js';

describe('parseDistinguishedName', () => {
  it('reads RFC 4514 names with spaces, escapes and quotes', () => {
    expect(parseDistinguishedName('CN=a\\,b, O="Acme, Inc.", C=US ,ST=WA, L=S\\C3\\A9attle')).toEqual(new Map([
      ['CN', 'a,b'], ['O', 'Acme, Inc.'], ['C', 'US'], ['ST', 'WA'], ['L', 'Séattle'],
    ]));
  });
  it('treats S as ST', () => {
    expect(parseDistinguishedName('S=WA').get('ST')).toBe('WA');
  });
  it.each(['', 'CN', '=x', 'CN=a+O=b', 'CN=a,CN=b', 'CN=#0403', 'CN="open', '1bad=x'])('refuses %j', (s) => {
    expect(() => parseDistinguishedName(s)).toThrow();
  });
  it('names the mandatory attributes a trust-policy identity lacks', () => {
    expect(missingMandatoryAttributes(parseDistinguishedName('CN=x, O=y'))).toEqual(['C', 'ST']);
  });
  it('matches an identity that is a subset of the certificate subject', () => {
    const subject = parseDistinguishedName('C=US, ST=WA, L=Seattle, O=Notary, CN=e2e');
    expect(isSubsetDn(parseDistinguishedName('C=US, ST=WA, O=Notary'), subject)).toBe(true);
    expect(isSubsetDn(parseDistinguishedName('C=USB, ST=WA, O=Notary'), subject)).toBe(false);
    expect(isSubsetDn(parseDistinguishedName('C=US, ST=WA, O=Notary, OU=x'), subject)).toBe(false);
  });
});
