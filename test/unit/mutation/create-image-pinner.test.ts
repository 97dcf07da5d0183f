import { describe, expect, it } from '@jest/globals';
import { createImagePinner } from '../../../src/mutation/create-image-pinner.js';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { fakeRegistryClient } from '../../helpers/fake-registry-client.js';

const DIGEST = `sha256:${'2'.repeat(64)}`;
const D = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DIGEST, size: 10 };

function ctx(): AdmissionContext {
  return {
    signal: new AbortController().signal,
    deadline: Date.now() + 10_000,
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'x', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: [] },
  };
}

describe('createImagePinner', () => {
  const pinner = createImagePinner({ client: fakeRegistryClient({ 'docker.io/library/nginx:1.27': D, 'docker.io/library/nginx:latest': D, '127.0.0.1:5000/a/b:tag': D }) });

  it('keeps the spelling and appends the digest to a tagged image', async () => {
    const out = await pinner.pin(['nginx:1.27', '127.0.0.1:5000/a/b:tag'], ctx());
    expect(out.get('nginx:1.27')).toEqual({ kind: 'pinned', reference: `nginx:1.27@${DIGEST}`, digest: DIGEST });
    expect(out.get('127.0.0.1:5000/a/b:tag')).toEqual({ kind: 'pinned', reference: `127.0.0.1:5000/a/b:tag@${DIGEST}`, digest: DIGEST });
  });

  it('writes out the implied `latest` tag of an untagged image', async () => {
    const out = await pinner.pin(['nginx'], ctx());
    expect(out.get('nginx')).toEqual({ kind: 'pinned', reference: `nginx:latest@${DIGEST}`, digest: DIGEST });
  });

  it('leaves images already pinned by digest unchanged', async () => {
    const out = await pinner.pin([`nginx@${DIGEST}`, `nginx:1.27@${DIGEST}`], ctx());
    expect([...out.values()]).toEqual([{ kind: 'unchanged' }, { kind: 'unchanged' }]);
  });

  it('resolves at most `concurrency` images at once', async () => {
    let running = 0;
    let peak = 0;
    const slow = {
      async resolve() {
        running++; peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return D;
      },
    };
    const images = Array.from({ length: 40 }, (_, i) => `registry.example/app-${i}:1`);
    const out = await createImagePinner({ client: slow, concurrency: 4 }).pin(images, ctx());
    expect(out.size).toBe(40);
    expect(peak).toBe(4);
  });

  it('answers once per unique image', async () => {
    const out = await pinner.pin(['nginx:1.27', 'nginx:1.27'], ctx());
    expect(out.size).toBe(1);
  });

  it('reports each failure as an error outcome with the code and the registry message', async () => {
    const out = await pinner.pin(['nginx:nope', 'NOT VALID'], ctx());
    expect(out.get('nginx:nope')).toEqual({ kind: 'error', code: 'NOT_FOUND', message: expect.stringContaining('manifest unknown') });
    expect(out.get('NOT VALID')).toMatchObject({ kind: 'error', code: 'INVALID_REFERENCE' });
  });
});
