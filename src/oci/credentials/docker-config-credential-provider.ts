/**
 * Credentials from a docker `config.json` (`auths.<host>.auth` = base64 `user:password`, or
 * `username`/`password`, or `identitytoken`). The file may be a mounted Secret that changes, so
 * it is `stat`ed on each lookup, but read and parsed again only when its identity (inode, size,
 * mtime, ctime) changed: lookups happen on every authenticated registry request. Credential
 * helpers (`credsStore`) are not run.
 * https://github.com/docker/cli/blob/master/cli/config/configfile/file.go
 */
import { readFile, stat } from 'node:fs/promises';
import type { Credential, CredentialProvider } from '../types.js';
import { OciError } from '../errors.js';
import { credentialKeyHost } from './credential-key-host.js';

const MAX_CONFIG_BYTES = 1024 * 1024;

interface DockerAuthEntry { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown; registrytoken?: unknown }

/** Parses a docker config.json (its text) into credentials by canonical registry name. */
export function parseDockerConfig(text: string): Map<string, Credential> {
  let json: unknown;
  // No `cause`: JSON.parse's message quotes the text, credentials and all.
  try { json = JSON.parse(text); } catch { throw new OciError('CREDENTIALS_ERROR', 'docker config is not JSON'); }
  const auths = (json as { auths?: unknown } | null)?.auths;
  const out = new Map<string, Credential>();
  if (!auths || typeof auths !== 'object') return out;
  for (const [key, raw] of Object.entries(auths as Record<string, unknown>)) {
    const cred = toCredential(raw as DockerAuthEntry);
    if (!cred) continue;
    const host = credentialKeyHost(key);
    if (host !== undefined && !out.has(host)) out.set(host, cred);
  }
  return out;
}

function toCredential(e: DockerAuthEntry | null): Credential | undefined {
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.identitytoken === 'string' && e.identitytoken) return { kind: 'identityToken', token: e.identitytoken };
  if (typeof e.registrytoken === 'string' && e.registrytoken) return { kind: 'bearer', token: e.registrytoken };
  if (typeof e.auth === 'string' && e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) return { kind: 'basic', username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string' && e.username) return { kind: 'basic', username: e.username, password: e.password };
  return undefined;
}

export interface DockerConfigProviderOptions {
  /** Reads the file's text; injectable so tests can count reads. */
  readonly readText?: (path: string, signal: AbortSignal) => Promise<string>;
}

const readText = (path: string, signal: AbortSignal): Promise<string> => readFile(path, { encoding: 'utf8', signal });

/** A provider reading the docker config at `path`. A missing file means no credentials. */
export function dockerConfigCredentialProvider(path: string, options: DockerConfigProviderOptions = {}): CredentialProvider {
  const read = options.readText ?? readText;
  let parsed: { identity: string; byRegistry: Map<string, Credential> } | undefined;

  const load = async (signal: AbortSignal): Promise<Map<string, Credential> | undefined> => {
    let text: string;
    let identity: string;
    try {
      const st = await stat(path);
      identity = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      if (parsed?.identity === identity) return parsed.byRegistry;
      if (st.size > MAX_CONFIG_BYTES) throw new OciError('CREDENTIALS_ERROR', `docker config ${path} is over ${MAX_CONFIG_BYTES} bytes`);
      text = await read(path, signal);
    } catch (err) {
      if (err instanceof OciError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') { parsed = undefined; return undefined; }
      throw new OciError('CREDENTIALS_ERROR', `cannot read docker config ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (text.length > MAX_CONFIG_BYTES) throw new OciError('CREDENTIALS_ERROR', `docker config ${path} is over ${MAX_CONFIG_BYTES} bytes`);
    const byRegistry = parseDockerConfig(text);
    parsed = { identity, byRegistry };
    return byRegistry;
  };

  return {
    async credentialsFor(registry, _scope, signal) {
      // `registry` is canonical (ImageRef.registry), as the keys are.
      return (await load(signal))?.get(registry);
    },
  };
}
