/**
 * Pushes test content to a real registry with the real `oras` CLI (plain HTTP, loopback):
 * images/artifacts, referrers (`oras attach`), and multi-arch indexes. Manifests get a fixed
 * creation time, so the same content pushed to two registries has the same digests.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools.js';

const run = promisify(execFile);
const CREATED = 'org.opencontainers.image.created=2026-01-01T00:00:00Z';

export interface PushedDescriptor { readonly mediaType: string; readonly digest: string; readonly size: number }
export interface OrasAuth { readonly username: string; readonly password: string }

export interface PushOptions {
  /** File content pushed as the one layer (named `content.txt`). Default: `hello <ref>`. */
  readonly content?: string;
  readonly mediaType?: string;
  readonly artifactType?: string;
  /** `os/arch[/variant]`: pushed as an image with that platform in its config. */
  readonly platform?: string;
  readonly auth?: OrasAuth;
}

async function oras(args: string[], cwd: string, auth?: OrasAuth): Promise<string> {
  const creds = auth ? ['-u', auth.username, '-p', auth.password] : [];
  const { stdout } = await run(toolPath('oras'), [...args, ...creds], {
    cwd, timeout: 30_000, env: { ...process.env, HOME: cwd, DOCKER_CONFIG: cwd },
  });
  return stdout;
}

function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'oras-push-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function descriptorOf(stdout: string): PushedDescriptor {
  const j = JSON.parse(stdout) as { mediaType: string; digest: string; size: number };
  return { mediaType: j.mediaType, digest: j.digest, size: j.size };
}

/** `oras push host/repo:tag content.txt` → the pushed manifest's descriptor. */
export function pushImage(target: string, options: PushOptions = {}): Promise<PushedDescriptor> {
  return withTmp(async (dir) => {
    writeFileSync(join(dir, 'content.txt'), options.content ?? `hello ${target}`);
    const args = ['push', '--plain-http', '--format', 'json', '--annotation', CREATED, target, `content.txt:${options.mediaType ?? 'text/plain'}`];
    if (options.artifactType) args.push('--artifact-type', options.artifactType);
    if (options.platform) args.push('--artifact-platform', options.platform);
    return descriptorOf(await oras(args, dir, options.auth));
  });
}

/**
 * `oras attach` a referrer to `subject` (host/repo@digest or :tag). oras uses the referrers API
 * when the registry has it, and otherwise maintains the `sha256-<hex>` tag-schema index.
 */
export function attachArtifact(subject: string, artifactType: string, options: { content?: string; mediaType?: string; auth?: OrasAuth; distributionSpec?: 'v1.1-referrers-api' | 'v1.1-referrers-tag' } = {}): Promise<PushedDescriptor> {
  return withTmp(async (dir) => {
    writeFileSync(join(dir, 'content.txt'), options.content ?? `${artifactType} for ${subject.split('@')[1] ?? subject}`);
    const args = ['attach', '--plain-http', '--format', 'json', '--annotation', CREATED, '--artifact-type', artifactType, subject, `content.txt:${options.mediaType ?? 'application/json'}`];
    if (options.distributionSpec) args.push('--distribution-spec', options.distributionSpec);
    return descriptorOf(await oras(args, dir, options.auth));
  });
}

/** `oras manifest index create host/repo:tag SOURCE…` (sources are tags or digests in the same repository). */
export function pushIndex(target: string, sources: readonly string[], options: { auth?: OrasAuth } = {}): Promise<PushedDescriptor> {
  return withTmp(async (dir) => {
    await oras(['manifest', 'index', 'create', '--plain-http', target, ...sources], dir, options.auth);
    return descriptorOf(await oras(['manifest', 'fetch', '--plain-http', '--descriptor', target], dir, options.auth));
  });
}
