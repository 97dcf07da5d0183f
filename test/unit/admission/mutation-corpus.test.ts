import { describe, expect, it } from '@jest/globals';
import fastJsonPatch from 'fast-json-patch';
import { admissionContext } from '../../../src/admission/admission-context.js';
import { decodeAdmissionReview } from '../../../src/admission/decode-admission-review.js';
import { createExclusions } from '../../../src/admission/exclusions.js';
import { findImages } from '../../../src/admission/find-images.js';
import { newProgress } from '../../../src/admission/progress.js';
import { reviewMutation } from '../../../src/admission/review-mutation.js';
import type { AdmissionRequest } from '../../../src/admission/types.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';

const DA = `sha256:${'0a'.repeat(32)}`;
const DB = `sha256:${'0b'.repeat(32)}`;
const DC = `sha256:${'0c'.repeat(32)}`;
const DD = `sha256:${'0d'.repeat(32)}`;
const DE = `sha256:${'0e'.repeat(32)}`;
// The corpus' pre-pinned images (left alone by the pinner).
const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'b2'.repeat(32)}`;

/** What the registry would answer; images with a digest come back unchanged. */
const PINNED: Record<string, string> = {
  'nginx': `nginx:latest@${DA}`,
  'docker.io/library/nginx': `docker.io/library/nginx:latest@${DA}`,
  'library/nginx:1.27': `library/nginx:1.27@${DB}`,
  'nginx:1.27': `nginx:1.27@${DB}`,
  'registry:5000/a/b:tag': `registry:5000/a/b:tag@${DC}`,
  'busybox:1.36': `busybox:1.36@${DD}`,
  'alpine:3.20': `alpine:3.20@${DE}`,
  'registry:5000/models/llm:v1': `registry:5000/models/llm:v1@${DE}`,
  'registry:5000/data/set:2024': `registry:5000/data/set:2024@${DE}`,
};

const TEMPLATE = '/spec/template/spec';
const workloadPatch = (base: string) => [
  { op: 'replace', path: `${base}/initContainers/0/image`, value: `library/nginx:1.27@${DB}` },
  { op: 'replace', path: `${base}/containers/0/image`, value: `registry:5000/a/b:tag@${DC}` },
];

const CASES: Array<{ file: string; images: string[]; patch: Array<{ op: string; path: string; value: string }> }> = [
  {
    file: 'pod-create.json',
    images: ['docker.io/library/nginx', 'nginx', 'library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`, `repo:tag@${D2}`],
    patch: [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `docker.io/library/nginx:latest@${DA}` },
      { op: 'replace', path: '/spec/containers/0/image', value: `nginx:latest@${DA}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `library/nginx:1.27@${DB}` },
      { op: 'replace', path: '/spec/containers/2/image', value: `registry:5000/a/b:tag@${DC}` },
    ],
  },
  { file: 'pod-update.json', images: ['nginx:1.27'], patch: [{ op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` }] },
  {
    file: 'pod-same-image-twice.json',
    images: ['nginx:1.27'],
    patch: [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `nginx:1.27@${DB}` },
      { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `nginx:1.27@${DB}` },
    ],
  },
  {
    file: 'pod-ephemeralcontainers.json',
    images: ['busybox:1.36'],
    patch: [{ op: 'replace', path: '/spec/ephemeralContainers/0/image', value: `busybox:1.36@${DD}` }],
  },
  {
    file: 'ephemeralcontainers-legacy.json',
    images: ['busybox:1.36'],
    patch: [{ op: 'replace', path: '/ephemeralContainers/0/image', value: `busybox:1.36@${DD}` }],
  },
  ...[
    'deployment-create.json', 'deployment-create-dry-run.json', 'replicaset-create.json', 'statefulset-update.json',
    'daemonset-create.json', 'job-create.json', 'replicationcontroller-create.json',
  ].map((file) => ({ file, images: ['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`], patch: workloadPatch(TEMPLATE) })),
  ...['cronjob-create.json', 'cronjob-update.json'].map((file) => ({
    file, images: ['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`], patch: workloadPatch('/spec/jobTemplate/spec/template/spec'),
  })),
  {
    file: 'pod-image-volume.json',
    images: ['nginx:1.27', 'registry:5000/models/llm:v1', `ghcr.io/o/tools@${D1}`],
    patch: [
      { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` },
      { op: 'replace', path: '/spec/volumes/1/image/reference', value: `registry:5000/models/llm:v1@${DE}` },
    ],
  },
  {
    file: 'cronjob-image-volume.json',
    images: ['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`, 'registry:5000/data/set:2024'],
    patch: [
      ...workloadPatch('/spec/jobTemplate/spec/template/spec'),
      { op: 'replace', path: '/spec/jobTemplate/spec/template/spec/volumes/0/image/reference', value: `registry:5000/data/set:2024@${DE}` },
    ],
  },
  // Only the new ephemeral container: the API server refuses changes to existing ones.
  { file: 'pod-ephemeralcontainers-second.json', images: ['alpine:3.20'], patch: [{ op: 'replace', path: '/spec/ephemeralContainers/1/image', value: `alpine:3.20@${DE}` }] },
  // A Pod's volumes and ephemeral containers cannot change on update: only the container is pinned.
  { file: 'pod-update-immutable-fields.json', images: ['nginx:1.27'], patch: [{ op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.27@${DB}` }] },
  { file: 'podtemplate-create.json', images: ['library/nginx:1.27', 'registry:5000/a/b:tag', `ghcr.io/o/r@${D1}`], patch: workloadPatch('/template/spec') },
];

const settings = { enabled: true, onError: 'deny' as const };
const exclusions = createExclusions({ excludeNamespaces: ['kube-system'], excludeImages: [] });

async function mutate(request: AdmissionRequest, pinner = new FakeImagePinner({ pinned: PINNED })) {
  const found = findImages(request);
  const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
  return { pinner, found, ...(await reviewMutation(request, found, { pinner, settings, exclusions, ctx, progress: newProgress() })) };
}

/** Sets values by JSON Pointer independently of any RFC 6902 library, to build the expectation. */
function withValues(doc: unknown, values: Array<[string, string]>): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  for (const [pointer, value] of values) {
    const keys = pointer.split('/').slice(1);
    const last = keys.pop() as string;
    let at: Record<string, unknown> = copy;
    for (const k of keys) at = at[k] as Record<string, unknown>;
    expect(at[last]).toEqual(expect.any(String)); // `replace` needs an existing value
    at[last] = value;
  }
  return copy;
}

describe('reviewMutation over the admission corpus', () => {
  describe.each(CASES)('$file', ({ file, images, patch }) => {
    const request = decodeAdmissionReview(fixtureText(file), { maxDepth: 64 });

    it('finds every image once, in object order', () => {
      expect(findImages(request)?.images).toEqual(images);
    });

    it('answers with exactly the expected JSONPatch', async () => {
      const { response, pinner } = await mutate(request);
      expect(pinner.calls).toHaveLength(1);
      expect(pinner.calls[0]?.images).toEqual(images);
      expect(response.allowed).toBe(true);
      expect(response.uid).toBe(request.uid);
      expect(response.patchType).toBe('JSONPatch');
      expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8'))).toEqual(patch);
    });

    it('yields the expected object when the patch is applied with an RFC 6902 implementation', async () => {
      const { response } = await mutate(request);
      const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8'));
      const applied = fastJsonPatch.applyPatch(structuredClone(request.object), ops, true, false).newDocument;
      expect(applied).toEqual(withValues(request.object, patch.map((p) => [p.path, p.value])));
    });

    it('is idempotent: the patched object needs no further patch', async () => {
      const { response } = await mutate(request);
      const ops = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8'));
      const applied = fastJsonPatch.applyPatch(structuredClone(request.object), ops, true, false).newDocument;
      const again = await mutate({ ...request, object: applied });
      expect(again.response.patch).toBeUndefined();
      expect(again.response.patchType).toBeUndefined();
      expect(again.response.allowed).toBe(true);
    });
  });

  describe('when the object is of another kind', () => {
    it('allows a ConfigMap untouched without asking the pinner', async () => {
      const request = decodeAdmissionReview(fixtureText('configmap-create.json'), { maxDepth: 64 });
      const { response, pinner } = await mutate(request);
      expect(response).toEqual({ uid: 'cm-create-1', allowed: true });
      expect(pinner.calls).toHaveLength(0);
    });
  });

  describe('when the request is a DELETE', () => {
    it('allows it untouched', async () => {
      const request = decodeAdmissionReview(fixtureText('pod-delete.json'), { maxDepth: 64 });
      const { response, pinner } = await mutate(request);
      expect(response).toEqual({ uid: 'pod-delete-1', allowed: true });
      expect(pinner.calls).toHaveLength(0);
    });
  });

  describe('when the namespace is excluded', () => {
    it('allows it untouched', async () => {
      const request = decodeAdmissionReview(fixtureText('pod-kube-system.json'), { maxDepth: 64 });
      const { response, pinner } = await mutate(request);
      expect(response).toEqual({ uid: 'pod-ks-1', allowed: true });
      expect(pinner.calls).toHaveLength(0);
    });
  });

  describe('when every image is already pinned', () => {
    it('answers without a patch', async () => {
      const request = decodeAdmissionReview(fixtureText('pod-same-image-twice.json').replaceAll('"nginx:1.27"', `"nginx:1.27@${D1}"`), { maxDepth: 64 });
      const { response, pinner } = await mutate(request);
      expect(pinner.calls[0]?.images).toEqual([`nginx:1.27@${D1}`]);
      expect(response).toEqual({ uid: 'pod-twice-1', allowed: true });
    });
  });

  describe('when an image cannot be pinned', () => {
    const request = decodeAdmissionReview(fixtureText('pod-update.json'), { maxDepth: 64 });
    const pinner = () => new FakeImagePinner({ errors: { 'nginx:1.27': 'registry:5000: manifest unknown' } });

    it('denies with mutation.onError deny, naming the image and the registry error', async () => {
      const found = findImages(request);
      const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
      const { response } = await reviewMutation(request, found, { pinner: pinner(), settings, exclusions, ctx, progress: newProgress() });
      expect(response).toEqual({
        uid: 'pod-update-1', allowed: false,
        status: { code: 403, reason: 'Forbidden', message: 'cannot pin image "nginx:1.27" to a digest: registry:5000: manifest unknown (REGISTRY_ERROR)' },
      });
    });

    it('allows with a warning and no patch with mutation.onError allow', async () => {
      const found = findImages(request);
      const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
      const { response } = await reviewMutation(request, found, { pinner: pinner(), settings: { enabled: true, onError: 'allow' }, exclusions, ctx, progress: newProgress() });
      expect(response).toEqual({
        uid: 'pod-update-1', allowed: true,
        warnings: ['portcullis: cannot pin image "nginx:1.27" to a digest: registry:5000: manifest unknown (REGISTRY_ERROR); admitted unpinned (mutation.onError: allow)'],
      });
    });

    it('still patches the images that did pin', async () => {
      const twice = decodeAdmissionReview(fixtureText('pod-create.json'), { maxDepth: 64 });
      const found = findImages(twice);
      const ctx = admissionContext(twice, found, new AbortController().signal, Date.now() + 10_000);
      const p = new FakeImagePinner({ pinned: PINNED, errors: { nginx: 'unauthorized' } });
      const { response, patch } = await reviewMutation(twice, found, { pinner: p, settings: { enabled: true, onError: 'allow' }, exclusions, ctx, progress: newProgress() });
      expect(response.allowed).toBe(true);
      expect(patch.map((o) => o.path)).toEqual(['/spec/initContainers/0/image', '/spec/containers/1/image', '/spec/containers/2/image']);
      expect(response.warnings).toHaveLength(1);
    });

    it('treats a pinner that throws as an error for every image', async () => {
      const found = findImages(request);
      const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
      const { response } = await reviewMutation(request, found, { pinner: new FakeImagePinner({ throws: new Error('connection refused') }), settings, exclusions, ctx, progress: newProgress() });
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toBe('cannot pin image "nginx:1.27" to a digest: connection refused (PIN_FAILED)');
    });
  });

  describe('when mutation is disabled', () => {
    it('allows untouched without asking the pinner', async () => {
      const request = decodeAdmissionReview(fixtureText('pod-update.json'), { maxDepth: 64 });
      const found = findImages(request);
      const pinner = new FakeImagePinner({ pinned: PINNED });
      const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
      const { response } = await reviewMutation(request, found, { pinner, settings: { enabled: false, onError: 'deny' }, exclusions, ctx, progress: newProgress() });
      expect(response).toEqual({ uid: 'pod-update-1', allowed: true });
      expect(pinner.calls).toHaveLength(0);
    });
  });

  describe('when an image matches validation.excludeImages', () => {
    it('is neither pinned nor patched', async () => {
      const request = decodeAdmissionReview(fixtureText('pod-create.json'), { maxDepth: 64 });
      const found = findImages(request);
      const pinner = new FakeImagePinner({ pinned: PINNED });
      const ctx = admissionContext(request, found, new AbortController().signal, Date.now() + 10_000);
      const ex = createExclusions({ excludeNamespaces: [], excludeImages: ['registry:5000/**', '*nginx*'] });
      const { patch } = await reviewMutation(request, found, { pinner, settings, exclusions: ex, ctx, progress: newProgress() });
      // Globs match canonical names: `*nginx*` is Hub shorthand for `docker.io/library/*nginx*`, so
      // `nginx`, `library/nginx:1.27` and `docker.io/library/nginx` (one image) are all excluded.
      expect(pinner.calls[0]?.images).toEqual([`ghcr.io/o/r@${D1}`, `repo:tag@${D2}`]);
      expect(patch).toEqual([]);
    });
  });

  describe('the context given to the pinner', () => {
    it('carries the request info, the dry-run flag and the pod pull secrets', async () => {
      const create = decodeAdmissionReview(fixtureText('pod-create.json'), { maxDepth: 64 });
      const { pinner } = await mutate(create);
      expect(pinner.calls[0]?.ctx.request).toEqual({
        uid: 'pod-create-1', operation: 'CREATE', namespace: 'default', name: 'web',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        userInfo: { username: 'alice@example.com', groups: ['system:authenticated', 'devs'] },
        dryRun: false,
      });
      expect(pinner.calls[0]?.ctx.pod).toEqual({ serviceAccountName: 'web-sa', imagePullSecrets: ['regcred', 'ghcr'] });
      const dry = decodeAdmissionReview(fixtureText('deployment-create-dry-run.json'), { maxDepth: 64 });
      const second = await mutate(dry);
      expect(second.pinner.calls[0]?.ctx.request.dryRun).toBe(true);
      expect(second.pinner.calls[0]?.ctx.request.kind).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    });
  });
});
