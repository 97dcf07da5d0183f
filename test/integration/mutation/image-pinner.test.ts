import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createImagePinner } from '../../../src/mutation/create-image-pinner.js';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { createCachingRegistryClient } from '../../../src/cache/caching-registry-client.js';
import { createMemoryCache } from '../../../src/cache/memory-cache.js';
import { resolveCommand } from '../../../src/cli/resolve.js';
import type { AdmissionContext } from '../../../src/admission/ports.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { pushImage, pushIndex, type PushedDescriptor } from '../../helpers/push-image.js';

function ctx(ms = 10_000): AdmissionContext {
  return {
    signal: AbortSignal.timeout(ms),
    deadline: Date.now() + ms,
    request: { uid: 'u', operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'x', groups: [] }, dryRun: false },
    pod: { imagePullSecrets: ['regcred'] },
  };
}

describe('createImagePinner against a real registry', () => {
  let reg: RunningRegistry;
  let client: PortcullisRegistryClient;
  let app: PushedDescriptor;
  let latest: PushedDescriptor;
  let index: PushedDescriptor;

  beforeAll(async () => {
    reg = await startRegistry('distribution');
    app = await pushImage(`${reg.host}/a/b:tag`, { content: 'b' });
    latest = await pushImage(`${reg.host}/a/b:latest`, { content: 'b latest' });
    await pushImage(`${reg.host}/a/multi:amd64`, { content: 'amd64', platform: 'linux/amd64' });
    await pushImage(`${reg.host}/a/multi:arm64`, { content: 'arm64', platform: 'linux/arm64' });
    index = await pushIndex(`${reg.host}/a/multi:1`, ['amd64', 'arm64']);
    client = createCachingRegistryClient(createRegistryClient({ insecure: [reg.host] }), createMemoryCache());
  }, 60_000);
  afterAll(async () => { await client?.close(); await reg?.stop(); });

  it('pins every image form as written', async () => {
    const h = reg.host;
    const images = [`${h}/a/b:tag`, `${h}/a/b`, `${h}/a/b:tag@${app.digest}`, `${h}/a/b@${app.digest}`, `${h}/a/multi:1`];
    const out = await createImagePinner({ client }).pin(images, ctx());
    expect(Object.fromEntries(out)).toEqual({
      [`${h}/a/b:tag`]: { kind: 'pinned', reference: `${h}/a/b:tag@${app.digest}`, digest: app.digest },
      [`${h}/a/b`]: { kind: 'pinned', reference: `${h}/a/b:latest@${latest.digest}`, digest: latest.digest },
      [`${h}/a/b:tag@${app.digest}`]: { kind: 'unchanged' },
      [`${h}/a/b@${app.digest}`]: { kind: 'unchanged' },
      // A multi-arch tag pins to the index, so every node pulls its own platform.
      [`${h}/a/multi:1`]: { kind: 'pinned', reference: `${h}/a/multi:1@${index.digest}`, digest: index.digest },
    });
  });

  it('reports an unknown tag as an error outcome naming the registry\'s error', async () => {
    const out = await createImagePinner({ client }).pin([`${reg.host}/a/b:missing`], ctx());
    expect(out.get(`${reg.host}/a/b:missing`)).toEqual({
      kind: 'error', code: 'NOT_FOUND', message: expect.stringContaining(`${reg.host}/a/b:missing`),
    });
  });

  it('reports a registry that cannot be reached as an error outcome', async () => {
    const out = await createImagePinner({ client }).pin(['127.0.0.1:1/x/y:1'], ctx(3_000));
    expect(out.get('127.0.0.1:1/x/y:1')).toMatchObject({ kind: 'error', code: expect.stringMatching(/NETWORK_ERROR|DEADLINE_EXCEEDED/) });
  }, 15_000);

  describe('portcullis resolve', () => {
    async function run(args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      let code = -1;
      await resolveCommand({ stdout: (l) => out.push(l), stderr: (l) => err.push(l), exit: (c) => { code = c; } })
        .exitOverride()
        .parseAsync(args, { from: 'user' });
      return { out, err, code };
    }

    it('prints each image pinned to its digest', async () => {
      const r = await run(['--insecure', reg.host, `${reg.host}/a/b:tag`, `${reg.host}/a/b@${app.digest}`]);
      expect(r).toEqual({ out: [`${reg.host}/a/b:tag@${app.digest}`, `${reg.host}/a/b@${app.digest}`], err: [], code: 0 });
    });

    it('exits 2 and names the image on an error', async () => {
      const r = await run(['--insecure', reg.host, `${reg.host}/a/b:missing`]);
      expect(r.code).toBe(2);
      expect(r.err[0]).toContain(`NOT_FOUND: ${reg.host}/a/b:missing`);
    });
  });
});
