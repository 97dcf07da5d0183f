import { access } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { CERT_FILES, generateCertSet, writeCertSet } from './generate-cert-set.js';

/**
 * For `portcullis serve` on embedded defaults: when the serving pair is absent, generate a
 * self-signed set next to it (SPEC "Commands"). Returns whether it generated.
 */
export async function ensureCerts(certFile: string, keyFile: string, options: { dns?: readonly string[] } = {}): Promise<boolean> {
  const exists = async (p: string) => access(p).then(() => true, () => false);
  if ((await exists(certFile)) && (await exists(keyFile))) return false;
  // A custom layout is the operator's to fill: only the default file names are generated.
  if (dirname(certFile) !== dirname(keyFile) || basename(certFile) !== CERT_FILES.cert || basename(keyFile) !== CERT_FILES.key) return false;
  await writeCertSet(dirname(certFile), generateCertSet(options));
  return true;
}
