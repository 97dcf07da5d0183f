/**
 * Validates a trust policy document (version 1.0) the way the specification and notation-go
 * do, refusing an invalid one with a ConfigError naming the statement and the field:
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy-properties
 */
import { ConfigError } from '../../../shared/coded-error.js';
import { isSubsetDn, missingMandatoryAttributes, parseDistinguishedName, type DistinguishedName } from '../x509/parse-distinguished-name.js';
import { LEVEL_ACTIONS, VALIDATION_TYPES } from './level-actions.js';
import type { TrustPolicy, TrustPolicyDocument, TrustStoreRef, ValidationAction, ValidationType, VerificationLevel } from './trust-policy.js';
import { isObject } from '../../../shared/is-object.js';
import { canonicalScope } from '../../../oci/registry-identity.js';

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
// Registry scope: `host[:port]/repository` with the OCI distribution repository grammar.
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Parses and validates; `path` names the config field for errors (e.g. `verifiers[0].trustPolicy`). */
export function parseTrustPolicy(doc: unknown, path: string): TrustPolicyDocument {
  const fail = (msg: string): never => {
    throw new ConfigError('INVALID_CONFIG', path, msg);
  };
  if (!isObject(doc)) return fail('trust policy must be an object');
  if (doc.version === undefined || doc.version === '') fail('trust policy has no version; it must be "1.0"');
  if (doc.version !== '1.0') fail(`trust policy version ${JSON.stringify(doc.version)} is not supported; it must be "1.0"`);
  const statements = doc.trustPolicies;
  if (!Array.isArray(statements) || statements.length === 0) fail('trustPolicies must list at least one trust policy statement');
  const names = new Set<string>();
  const policies = (statements as unknown[]).map((s, i) => {
    const p = parseStatement(s, `trustPolicies[${i}]`, fail);
    if (names.has(p.name)) fail(`trust policy name "${p.name}" is used by more than one statement; names must be unique`);
    names.add(p.name);
    return p;
  });
  const scopeOwner = new Map<string, string>();
  for (const p of policies) {
    for (const scope of p.registryScopes) {
      const owner = scopeOwner.get(scope);
      if (owner !== undefined) fail(`registry scope "${scope}" appears more than once (in "${owner}" and "${p.name}"); a scope belongs to one statement only`);
      scopeOwner.set(scope, p.name);
    }
  }
  return { version: '1.0', trustPolicies: policies };
}

function parseStatement(s: unknown, at: string, fail: (m: string) => never): TrustPolicy {
  if (!isObject(s)) return fail(`${at} must be an object`);
  const name = s.name;
  if (typeof name !== 'string' || name === '') fail(`${at}.name is missing; every statement needs a name`);
  const label = `trust policy "${String(name)}"`;

  const scopes = s.registryScopes;
  if (!Array.isArray(scopes) || scopes.length === 0) fail(`${label}: registryScopes must list at least one scope`);
  const registryScopes = (scopes as unknown[]).map((x) => {
    if (typeof x !== 'string') return fail(`${label}: registryScopes entries must be strings`);
    return x === '*' ? x : canonicalScopeOf(x, label, fail);
  });
  if (registryScopes.length > 1 && registryScopes.includes('*')) fail(`${label}: the wildcard registry scope "*" cannot be combined with other scopes`);

  const sv = s.signatureVerification;
  if (!isObject(sv)) return fail(`${label}: signatureVerification is missing`);
  const level = sv.level;
  if (level !== 'strict' && level !== 'permissive' && level !== 'audit' && level !== 'skip') {
    return fail(`${label}: signatureVerification.level ${JSON.stringify(level)} is not one of strict, permissive, audit, skip`);
  }
  const actions: Record<ValidationType, ValidationAction> = { ...LEVEL_ACTIONS[level as VerificationLevel] };
  if (sv.override !== undefined) {
    if (!isObject(sv.override)) fail(`${label}: signatureVerification.override must be an object`);
    if (level === 'skip' && Object.keys(sv.override as object).length > 0) fail(`${label}: level "skip" cannot be overridden`);
    for (const [key, value] of Object.entries(sv.override as Record<string, unknown>)) {
      if (!VALIDATION_TYPES.includes(key as ValidationType)) fail(`${label}: override of unknown validation ${JSON.stringify(key)} (one of ${VALIDATION_TYPES.join(', ')})`);
      if (value !== 'enforce' && value !== 'log' && value !== 'skip') fail(`${label}: override ${key}=${JSON.stringify(value)} is not one of enforce, log, skip`);
      // Integrity is always enforced; only revocation may be skipped (spec: "Custom Verification Level").
      if (key === 'integrity') fail(`${label}: the integrity validation cannot be overridden`);
      if (value === 'skip' && key !== 'revocation') fail(`${label}: the ${key} validation cannot be skipped`);
      actions[key as ValidationType] = value as ValidationAction;
    }
  }
  const vt = sv.verifyTimestamp ?? 'always';
  if (vt !== 'always' && vt !== 'afterCertExpiry') fail(`${label}: signatureVerification.verifyTimestamp ${JSON.stringify(vt)} is not "always" or "afterCertExpiry"`);

  const stores = s.trustStores ?? [];
  const ids = s.trustedIdentities ?? [];
  if (!Array.isArray(stores) || !Array.isArray(ids)) return fail(`${label}: trustStores and trustedIdentities must be lists`);
  if (level === 'skip') {
    if (stores.length > 0 || ids.length > 0) fail(`${label}: level "skip" must not configure trustStores or trustedIdentities`);
  } else if (stores.length === 0 || ids.length === 0) {
    fail(`${label}: trustStores and trustedIdentities must both be set`);
  }
  const trustStores = (stores as unknown[]).map((x) => parseStoreRef(x, label, fail));
  // A store listed twice is a mistake notation's e2e suite means to refuse ("overlapped trust stores").
  const seen = new Set<string>();
  for (const r of trustStores) {
    const key = `${r.type}:${r.name}`;
    if (seen.has(key)) fail(`${label}: trust store ${JSON.stringify(key)} is listed more than once`);
    seen.add(key);
  }
  const { identities, text } = parseIdentities(ids as unknown[], label, fail);
  return {
    name: name as string,
    registryScopes,
    level: level as VerificationLevel,
    actions,
    verifyTimestamp: vt as 'always' | 'afterCertExpiry',
    trustStores,
    trustedIdentities: identities,
    trustedIdentitiesText: text,
  };
}

/**
 * A valid scope in the canonical registry identity (docs/registry-identity.md), computed here
 * at config load: `REGISTRY.corp.example:443/app` and `registry-1.docker.io/nginx` select the
 * references a Pod may write as `registry.corp.example/app` and `nginx`.
 */
function canonicalScopeOf(scope: string, label: string, fail: (m: string) => never): string {
  const slash = scope.indexOf('/');
  const bad = (): never => fail(`${label}: registry scope ${JSON.stringify(scope)} is not "*" or <registry>/<repository> (no tag or digest)`);
  if (slash <= 0 || !REPOSITORY.test(scope.slice(slash + 1))) return bad();
  try {
    return canonicalScope(scope);
  } catch {
    return bad();
  }
}

function parseStoreRef(x: unknown, label: string, fail: (m: string) => never): TrustStoreRef {
  if (typeof x !== 'string') return fail(`${label}: trustStores entries must be strings`);
  const i = x.indexOf(':');
  if (i < 0) return fail(`${label}: trust store ${JSON.stringify(x)} is not <type>:<name>`);
  const type = x.slice(0, i);
  const name = x.slice(i + 1);
  if (type !== 'ca' && type !== 'signingAuthority' && type !== 'tsa') return fail(`${label}: trust store type ${JSON.stringify(type)} in ${JSON.stringify(x)} is not ca, signingAuthority or tsa`);
  if (!STORE_NAME.test(name)) return fail(`${label}: trust store name ${JSON.stringify(name)} in ${JSON.stringify(x)} must match [a-zA-Z0-9_.-]+`);
  return { type, name };
}

function parseIdentities(ids: unknown[], label: string, fail: (m: string) => never): { identities: '*' | DistinguishedName[]; text: string[] } {
  const text = ids.map((x) => (typeof x === 'string' ? x : fail(`${label}: trustedIdentities entries must be strings`)));
  if (text.includes('*')) {
    if (text.length > 1) fail(`${label}: the wildcard trusted identity "*" cannot be combined with other identities`);
    return { identities: '*', text };
  }
  const dns: { raw: string; dn: DistinguishedName }[] = [];
  for (const id of text) {
    if (id === '') fail(`${label}: has an empty trusted identity`);
    const i = id.indexOf(':');
    if (i < 0) fail(`${label}: trusted identity ${JSON.stringify(id)} is not <type>:<value> (e.g. "x509.subject: C=US, ST=WA, O=Example")`);
    const type = id.slice(0, i).trim();
    const value = id.slice(i + 1).trim();
    // Only x509.subject identities are understood; others are kept but never match (as notation-go does).
    if (type !== 'x509.subject') continue;
    if (value === '') fail(`${label}: trusted identity ${JSON.stringify(id)} has no value`);
    let dn: DistinguishedName;
    try {
      dn = parseDistinguishedName(value);
    } catch (e) {
      return fail(`${label}: trusted identity ${JSON.stringify(id)} is not a valid distinguished name: ${(e as Error).message}`);
    }
    const missing = missingMandatoryAttributes(dn);
    if (missing.length > 0) fail(`${label}: trusted identity ${JSON.stringify(id)} lacks ${missing.join(', ')}; C, ST and O are required`);
    for (const other of dns) {
      if (isSubsetDn(other.dn, dn) || isSubsetDn(dn, other.dn)) fail(`${label}: trusted identities ${JSON.stringify(other.raw)} and ${JSON.stringify(id)} overlap`);
    }
    dns.push({ raw: id, dn });
  }
  return { identities: dns.map((d) => d.dn), text };
}

