/**
 * Registry credentials from an image pull Secret, as the kubelet reads them:
 * `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`: `{"auths": {host: entry}}`) and the
 * legacy `kubernetes.io/dockercfg` (`.dockercfg`: `{host: entry}`).
 * https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
 */
import type { Credential } from '../oci/types.js';
import type { KubeSecret } from './kube-reader.js';
import { KubernetesError } from './kubernetes-error.js';

/** One `auths` entry: the key as written (host, maybe with scheme/path/glob) and its credential. */
export interface DockerConfigEntry {
  readonly key: string;
  readonly credential: Credential;
}

// Secrets are capped at 1 MiB by the API server; we refuse anything larger regardless.
const MAX_BYTES = 1024 * 1024;
const MAX_ENTRIES = 256;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function toCredential(entry: Record<string, unknown>): Credential | undefined {
  const identityToken = str(entry.identitytoken);
  if (identityToken) return { kind: 'identityToken', token: identityToken };
  const registryToken = str(entry.registrytoken);
  if (registryToken) return { kind: 'bearer', token: registryToken };
  const username = str(entry.username);
  const password = str(entry.password);
  if (username && password) return { kind: 'basic', username, password };
  const auth = str(entry.auth);
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/**
 * The credentials of a pull Secret, in file order. Secrets of other types yield `[]` (the
 * kubelet ignores them too); a pull Secret whose content does not parse is an INVALID_SECRET
 * error whose message names the Secret but never repeats its content.
 */
export function parseDockerConfigSecret(secret: KubeSecret): DockerConfigEntry[] {
  const where = `secret ${secret.namespace}/${secret.name}`;
  let raw: Uint8Array | undefined;
  let wrapped: boolean;
  if (secret.type === 'kubernetes.io/dockerconfigjson') { raw = secret.data['.dockerconfigjson']; wrapped = true; }
  else if (secret.type === 'kubernetes.io/dockercfg') { raw = secret.data['.dockercfg']; wrapped = false; }
  else return [];
  if (raw === undefined) throw new KubernetesError('INVALID_SECRET', `${where}: type ${secret.type} without its data key`);
  if (raw.byteLength > MAX_BYTES) throw new KubernetesError('INVALID_SECRET', `${where}: larger than ${MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    // Deliberately no `cause`: JSON.parse's message quotes the input.
    throw new KubernetesError('INVALID_SECRET', `${where}: docker config is not valid JSON`);
  }
  const auths = wrapped && typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).auths : doc;
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
    throw new KubernetesError('INVALID_SECRET', `${where}: docker config has no ${wrapped ? '"auths" object' : 'registry entries'}`);
  }
  const out: DockerConfigEntry[] = [];
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (out.length >= MAX_ENTRIES) break;
    if (typeof entry !== 'object' || entry === null) continue;
    const credential = toCredential(entry as Record<string, unknown>);
    if (credential) out.push({ key, credential });
  }
  return out;
}
