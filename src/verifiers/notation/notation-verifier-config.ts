/**
 * The `verifiers[]` entry of type notation (SPEC "Configuration"):
 *   trustStores: {ca: {NAME: [file or folder, …]}, signingAuthority: {…}, tsa: {…}}
 *   trustPolicy: {version: "1.0", trustPolicies: […]}   or   trustPolicyFile: path/to/trustpolicy.json
 * Any path may instead name a Kubernetes Secret, `secret:<namespace>/<name>[/<key>]`
 * (resolved by the factory through VerifierDeps.trustSource).
 */
import { ConfigError } from '../../shared/coded-error.js';
import type { VerifierConfigEntry } from '../verifier.js';
import type { TrustStoreType } from './trust-policy/trust-policy.js';
import { isObject } from '../../shared/is-object.js';
import { parseRevocationOptions } from './revocation/parse-revocation-options.js';
import type { RevocationOptions } from './revocation/revocation-options.js';

export const NOTATION_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';

export interface NotationVerifierConfig {
  readonly name: string;
  readonly artifactTypes: readonly string[];
  /** `type:name` → paths as written. */
  readonly trustStores: ReadonlyMap<string, readonly string[]>;
  readonly trustPolicy?: unknown;
  readonly trustPolicyFile?: string | undefined;
  /** Watch trust material and the policy file for changes (default true). */
  readonly watch: boolean;
  readonly revocation: RevocationOptions;
}

const STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const KNOWN_KEYS = new Set(['name', 'type', 'artifactTypes', 'trustStores', 'trustPolicy', 'trustPolicyFile', 'watch', 'revocation']);

export function parseNotationVerifierConfig(entry: VerifierConfigEntry, path: string): NotationVerifierConfig {
  for (const key of Object.keys(entry)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError('INVALID_CONFIG', `${path}.${key}`, 'unknown option of a notation verifier');
  }
  if (typeof entry.name !== 'string' || entry.name === '') throw new ConfigError('INVALID_CONFIG', `${path}.name`, 'must be a non-empty string');
  const artifactTypes = entry.artifactTypes ?? [NOTATION_SIGNATURE_ARTIFACT_TYPE];
  if (!Array.isArray(artifactTypes) || artifactTypes.some((a) => typeof a !== 'string')) throw new ConfigError('INVALID_CONFIG', `${path}.artifactTypes`, 'must be a list of strings');

  const trustStores = new Map<string, string[]>();
  const ts = entry.trustStores ?? {};
  if (!isObject(ts)) throw new ConfigError('INVALID_CONFIG', `${path}.trustStores`, 'must be an object {ca|signingAuthority|tsa: {NAME: [paths]}}');
  for (const [type, named] of Object.entries(ts)) {
    if (!STORE_TYPES.includes(type as TrustStoreType)) throw new ConfigError('INVALID_CONFIG', `${path}.trustStores.${type}`, 'trust store type must be ca, signingAuthority or tsa');
    if (!isObject(named)) throw new ConfigError('INVALID_CONFIG', `${path}.trustStores.${type}`, 'must map store names to lists of paths');
    for (const [name, paths] of Object.entries(named)) {
      const at = `${path}.trustStores.${type}.${name}`;
      if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new ConfigError('INVALID_CONFIG', at, 'trust store name must match [a-zA-Z0-9_.-]+');
      const list = typeof paths === 'string' ? [paths] : paths;
      if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string' || p === '')) throw new ConfigError('INVALID_CONFIG', at, 'must be a non-empty list of file or folder paths (or secret:<namespace>/<name>[/<key>])');
      trustStores.set(`${type}:${name}`, list as string[]);
    }
  }
  const hasInline = entry.trustPolicy !== undefined;
  const file = entry.trustPolicyFile;
  if (hasInline === (file !== undefined)) throw new ConfigError('INVALID_CONFIG', `${path}.trustPolicy`, 'set exactly one of trustPolicy or trustPolicyFile');
  if (file !== undefined && (typeof file !== 'string' || file === '')) throw new ConfigError('INVALID_CONFIG', `${path}.trustPolicyFile`, 'must be a path');
  const watch = entry.watch ?? true;
  if (typeof watch !== 'boolean') throw new ConfigError('INVALID_CONFIG', `${path}.watch`, 'must be a boolean');
  const revocation = parseRevocationOptions(entry.revocation, `${path}.revocation`);
  return { name: entry.name, artifactTypes, trustStores, trustPolicy: entry.trustPolicy, trustPolicyFile: file as string | undefined, watch, revocation };
}

