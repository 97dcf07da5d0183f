/**
 * Trust store folders of notation-go's test data, accepted or refused as notation-go's
 * truststore tests decide.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { createFileTrustMaterialSource } from '../../../../src/trust/create-file-trust-material-source.js';
import { buildTrustStores } from '../../../../src/verifiers/notation/trust-store/notation-trust-stores.js';
import { VECTORS } from '../../../helpers/tools.js';

const X509 = join(VECTORS, 'notation-go/verifier/testdata/truststore/x509');
const build = async (key: string, dir: string) => buildTrustStores(new Map([[key, await createFileTrustMaterialSource(join(X509, dir)).load()]]));

describe('buildTrustStores', () => {
  it.each([
    ['ca:valid', 'ca/valid-trust-store', 6],
    ['ca:self-signed', 'ca/valid-trust-store-self-signed', 1],
    ['signingAuthority:valid', 'signingAuthority/valid-trust-store', 3],
    ['ca:dirs', 'trust-store-with-directories', 1],
    ['tsa:test', 'tsa/test-timestamp', 1],
  ])('accepts %s (%s)', async (key, dir, count) => {
    expect((await build(key, dir)).get(key)).toHaveLength(count);
  });
  it.each([
    ['ca:leaf', 'ca/trust-store-with-leaf-certs', 'INVALID_CERTIFICATE'],
    ['ca:invalid', 'ca/trust-store-with-invalid-certs', 'INVALID_CERTIFICATE'],
    ['tsa:nonCA', 'tsa/test-nonCA', 'INVALID_CERTIFICATE'],
    ['tsa:nonSelfIssued', 'tsa/test-nonSelfIssued', 'INVALID_CERTIFICATE'],
    // The vector copy turned the symlink into a 20-byte file holding the link target: not a certificate.
    ['ca:symlinks', 'trust-store-with-cert-symlinks', 'INVALID_CERTIFICATE'],
  ])('refuses %s (%s)', async (key, dir, code) => {
    await expect(build(key, dir)).rejects.toMatchObject({ code });
  });
});
