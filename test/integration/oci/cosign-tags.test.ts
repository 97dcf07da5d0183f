import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { COSIGN_LEGACY_ATTESTATION, COSIGN_LEGACY_SIGNATURE } from '../../../src/oci/media-types.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { pushImage, type PushedDescriptor } from '../../helpers/push-image.js';
import { toolPath } from '../../helpers/tools.js';

const run = promisify(execFile);

describe('Cosign signatures and attestations stored at `sha256-<hex>.sig` / `.att` tags (real cosign)', () => {
  let reg: RunningRegistry;
  let client: PortcullisRegistryClient;
  let image: PushedDescriptor;
  let dir: string;

  beforeAll(async () => {
    reg = await startRegistry('distribution');
    image = await pushImage(`${reg.host}/signed/app:1`, { content: 'signed app' });
    dir = mkdtempSync(join(tmpdir(), 'cosign-'));
    const env = { ...process.env, HOME: dir, COSIGN_PASSWORD: '', COSIGN_YES: 'true' };
    const cosign = (args: string[]) => run(toolPath('cosign'), args, { cwd: dir, env, timeout: 60_000 });
    await cosign(['generate-key-pair']);
    const subject = `${reg.host}/signed/app@${image.digest}`;
    await cosign(['sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--new-bundle-format=false', '--use-signing-config=false', subject]);
    writeFileSync(join(dir, 'predicate.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app' }));
    await cosign(['attest', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--new-bundle-format=false', '--use-signing-config=false', '--type', 'spdxjson', '--predicate', 'predicate.json', subject]);
    client = createRegistryClient({ insecure: [reg.host] });
  }, 120_000);
  afterAll(async () => { await client?.close(); await reg?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('reports the `.sig` and `.att` manifests with the legacy Cosign artifact types', async () => {
    const list = await client.listReferrers(parseReference(`${reg.host}/signed/app:1`), image, deadlineSignal(10_000));
    const hex = image.digest.slice(7);
    // Found through the tags; marked by the lister as such (`source`), never by an annotation.
    expect(list.map((r) => [r.descriptor.artifactType, r.source, r.descriptor.annotations]).sort()).toEqual([
      [COSIGN_LEGACY_ATTESTATION, 'cosign-tag', undefined],
      [COSIGN_LEGACY_SIGNATURE, 'cosign-tag', undefined],
    ]);
    expect(hex).toHaveLength(64);
    const sig = list.find((r) => r.descriptor.artifactType === COSIGN_LEGACY_SIGNATURE)!.descriptor;
    const fetched = await client.fetchManifest(parseReference(`${reg.host}/signed/app:1`), sig, deadlineSignal(10_000));
    const manifest = JSON.parse(Buffer.from(fetched.bytes).toString()) as { layers: { mediaType: string }[] };
    expect(manifest.layers[0]?.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
  });
});
