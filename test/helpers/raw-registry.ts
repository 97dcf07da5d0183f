/**
 * Writes to a real test registry (plain HTTP, loopback) the way an attacker with push access
 * could: blobs and hand-made manifests, e.g. a referrers tag-schema index listing whatever it
 * likes. OCI distribution-spec push endpoints only; no client-side checks of ours in the way.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#push
 */
import { createHash } from 'node:crypto';
import type { Descriptor } from '../../src/oci/types.js';

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Uploads `bytes` as a blob of `repository` (POST then PUT, monolithic). */
export async function putBlob(host: string, repository: string, bytes: Uint8Array, mediaType = 'application/octet-stream'): Promise<Descriptor> {
  const digest = digestOf(bytes);
  const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(10_000) });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  return { mediaType, digest, size: bytes.length };
}

/** PUTs `json` as the manifest `reference` (tag or digest) of `repository`. */
export async function putManifest(host: string, repository: string, reference: string, json: unknown, mediaType: string): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(json));
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT', body: bytes, headers: { 'content-type': mediaType }, signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`manifest put ${reference}: ${res.status} ${await res.text()}`);
  return { mediaType, digest: digestOf(bytes), size: bytes.length };
}

/** GETs a manifest as parsed JSON, or undefined on 404. */
export async function getManifestJson<T = Record<string, unknown>>(host: string, repository: string, reference: string, accept: string): Promise<T | undefined> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, { headers: { accept }, signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`manifest get ${reference}: ${res.status}`);
  return (await res.json()) as T;
}
