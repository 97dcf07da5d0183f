import { describe, expect, it } from '@jest/globals';
import { parseManifest } from '../../../src/oci/parse-manifest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/oci/media-types.js';

const D = (n: string) => ({ mediaType: OCI_MANIFEST, digest: `sha256:${n.repeat(64)}`, size: 1 });
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseManifest', () => {
  it('parses an image manifest', () => {
    const p = parseManifest(bytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: D('a'), layers: [D('b')], subject: D('c') }), OCI_MANIFEST, 'x');
    expect(p).toMatchObject({ kind: 'manifest', manifest: { config: D('a'), layers: [D('b')], subject: D('c') } });
  });

  it('parses an index with platforms', () => {
    const entry = { ...D('a'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
    const p = parseManifest(bytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] }), OCI_INDEX, 'x');
    expect(p).toEqual({ kind: 'index', index: expect.objectContaining({ manifests: [entry] }) });
  });

  it.each([
    ['not JSON', 'nope'],
    ['a JSON array', []],
    ['schemaVersion 1', { schemaVersion: 1, config: D('a'), layers: [] }],
    ['a descriptor with a bad digest', { schemaVersion: 2, config: { ...D('a'), digest: 'sha256:zz' }, layers: [] }],
    ['a descriptor with a negative size', { schemaVersion: 2, config: { ...D('a'), size: -1 }, layers: [] }],
    ['an index without manifests', { schemaVersion: 2, mediaType: OCI_INDEX }],
    ['a body whose mediaType disagrees with its Content-Type', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }],
  ])('refuses %s with INVALID_MANIFEST', (_why, body) => {
    expect(() => parseManifest(bytes(body), OCI_MANIFEST, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_MANIFEST' }));
  });

  it('refuses more descriptors than the bound', () => {
    const manifests = Array.from({ length: 10_001 }, () => D('a'));
    expect(() => parseManifest(bytes({ schemaVersion: 2, manifests }), OCI_INDEX, 'x')).toThrow(expect.objectContaining({ code: 'INVALID_MANIFEST' }));
  });
});
