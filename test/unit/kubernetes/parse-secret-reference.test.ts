import { describe, expect, it } from '@jest/globals';
import { parseSecretReference } from '../../../src/kubernetes/parse-secret-reference.js';

describe('parseSecretReference', () => {
  it('reads secret:<namespace>/<name> as every key of the Secret', () => {
    expect(parseSecretReference('secret:portcullis-system/release-ca')).toEqual({ namespace: 'portcullis-system', name: 'release-ca' });
  });

  it('reads secret:<namespace>/<name>/<key> as one key', () => {
    expect(parseSecretReference('secret:ns/keys/cosign.pub')).toEqual({ namespace: 'ns', name: 'keys', keys: ['cosign.pub'] });
  });

  it('returns undefined for file paths', () => {
    expect(parseSecretReference('/etc/portcullis/trust/ca.pem')).toBeUndefined();
    expect(parseSecretReference('certs/secret:x')).toBeUndefined();
  });

  it.each(['secret:', 'secret:ns', 'secret:ns/', 'secret:NS/name', 'secret:ns/name/', 'secret:ns/name/a/b', 'secret:ns/na me', 'secret:../etc/passwd'])(
    'refuses %j with INVALID_CONFIG naming the field',
    (spec) => {
      expect(() => parseSecretReference(spec, 'verifiers[0].trustStores.ca.release')).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', path: 'verifiers[0].trustStores.ca.release' }));
    },
  );
});
