export { createCa, type CertificateAuthority, type KeyPairPem, type ValidityOptions } from './create-ca.js';
export { issueCert, type IssueOptions } from './issue-cert.js';
export { generateCertSet, writeCertSet, CERT_FILES, LOCAL_NAMES, type CertSet } from './generate-cert-set.js';
export { ensureCerts } from './ensure-certs.js';
