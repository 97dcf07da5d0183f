import { createHash } from 'node:crypto';
import { COSIGN_LEGACY_SIGNATURE, SIGSTORE_BUNDLE_TYPES } from '../../oci/media-types.js';
import { ConfigError } from '../../shared/coded-error.js';
import type { VerifierFactory } from '../verifier.js';
import { parseCosignOptions } from './cosign-options.js';
import { CosignVerifier } from './cosign-verifier.js';
import { compileIdentity } from './identity-matcher.js';
import { loadPublicKey, type CosignPublicKey } from './load-public-key.js';
import { loadTrustedRoot, type CosignTrustRoot } from './load-trusted-root.js';

/** Default referrers looked at: legacy `.sig` signatures and every Sigstore bundle version. */
export const COSIGN_DEFAULT_ARTIFACT_TYPES: readonly string[] = [COSIGN_LEGACY_SIGNATURE, ...SIGSTORE_BUNDLE_TYPES];

/**
 * Builds a Cosign verifier from its `verifiers[i]` entry: validates the options, reads every
 * key and the trusted root now, so verification does no I/O. Throws ConfigError naming the field.
 */
export const createCosignVerifier: VerifierFactory = async (entry, path, deps) => {
  const options = parseCosignOptions(entry, path);
  const keySources = [...(options.key !== undefined ? [options.key] : []), ...(options.keys ?? [])];
  const keys: CosignPublicKey[] = [];
  let inline = 0;
  for (const [i, source] of keySources.entries()) {
    const field = options.key !== undefined && i === 0 ? `${path}.key` : `${path}.keys[${options.key !== undefined ? i - 1 : i}]`;
    const key = await loadPublicKey(source, deps.baseDir, field, inline);
    if (key.label.startsWith('inline')) inline += 1;
    keys.push(key);
  }
  const identities = (options.keyless?.identities ?? []).map((identity, i) => compileIdentity(identity, `${path}.keyless.identities[${i}]`));

  let root: CosignTrustRoot | undefined;
  if (options.trustedRoot !== undefined) root = await loadTrustedRoot(options.trustedRoot, deps.baseDir, `${path}.trustedRoot`);
  if (!root && identities.length > 0) {
    throw new ConfigError('INVALID_CONFIG', `${path}.trustedRoot`, 'keyless verification needs a trustedRoot (a Sigstore trusted_root.json with the Fulcio CAs)');
  }
  if (!root && options.tlog.required) {
    throw new ConfigError('INVALID_CONFIG', `${path}.trustedRoot`, 'tlog.required needs a trustedRoot holding the Rekor key; set tlog: {required: false} for signatures made with --tlog-upload=false');
  }

  const configHash = createHash('sha256')
    .update(
      JSON.stringify({
        type: 'cosign',
        name: options.name,
        artifactTypes: options.artifactTypes ?? COSIGN_DEFAULT_ARTIFACT_TYPES,
        keys: keys.map((k) => k.fingerprint),
        keyless: options.keyless ?? null,
        trustedRoot: root?.digest ?? null,
        tlog: options.tlog,
        sct: options.sct,
        scopes: options.scopes,
        predicateTypes: options.predicateTypes ?? null,
      }),
    )
    .digest('hex');

  deps.logger.debug({ verifier: options.name, keys: keys.length, identities: identities.length, trustedRoot: Boolean(root) }, 'cosign verifier configured');
  return new CosignVerifier({
    name: options.name,
    artifactTypes: options.artifactTypes ?? COSIGN_DEFAULT_ARTIFACT_TYPES,
    scopes: options.scopes,
    predicateTypes: options.predicateTypes,
    configHash: `sha256:${configHash}`,
    policy: {
      keys,
      identities,
      trust: root?.material,
      tlogRequired: options.tlog.required,
      sctRequired: options.sct.required,
    },
  });
};
