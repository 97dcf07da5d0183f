import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistryClient, type PortcullisRegistryClient } from '../../../src/oci/registry-client.js';
import { parseReference } from '../../../src/oci/reference.js';
import { deadlineSignal } from '../../../src/oci/deadline.js';
import { NOTATION_SIGNATURE } from '../../../src/oci/media-types.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { toolPath, VECTORS } from '../../helpers/tools.js';

const run = promisify(execFile);
const LAYOUT = join(VECTORS, 'notation-e2e/layouts/e2e-valid-multiple-signatures');

interface Layout { manifests: { digest: string; annotations?: Record<string, string> }[] }

/** The layout's manifests whose `subject` is `v1` and whose artifact type is a Notation signature. */
function expectedSignatures(): { subject: string; signatures: string[] } {
  const index = JSON.parse(readFileSync(join(LAYOUT, 'index.json'), 'utf8')) as Layout;
  const subject = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v1')!.digest;
  const signatures = index.manifests.filter((m) => {
    const body = JSON.parse(readFileSync(join(LAYOUT, 'blobs/sha256', m.digest.slice(7)), 'utf8')) as { subject?: { digest: string }; artifactType?: string; config?: { mediaType: string } };
    return body.subject?.digest === subject && (body.artifactType ?? body.config?.mediaType) === NOTATION_SIGNATURE;
  });
  return { subject, signatures: signatures.map((m) => m.digest).sort() };
}

describe.each(['distribution', 'olareg'] as const)('Notation signatures copied by oras into %s', (kind) => {
  let reg: RunningRegistry;
  let client: PortcullisRegistryClient;
  beforeAll(async () => {
    reg = await startRegistry(kind);
    // One manifest at a time: olareg v0.1.2 updates its referrers index without a lock, and two
    // signatures pushed at once were seen to leave only one of them listed.
    await run(toolPath('oras'), ['cp', '-r', '--concurrency', '1', '--from-oci-layout', `${LAYOUT}:v1`, '--to-plain-http', `${reg.host}/notation/app:v1`], { timeout: 30_000 });
    client = createRegistryClient({ insecure: [reg.host] });
  }, 60_000);
  afterAll(async () => { await client?.close(); await reg?.stop(); });

  it('lists exactly the signatures the layout records', async () => {
    const { subject, signatures } = expectedSignatures();
    expect(signatures.length).toBeGreaterThan(1);
    const ref = parseReference(`${reg.host}/notation/app:v1`);
    const d = await client.resolve(ref, deadlineSignal(10_000));
    expect(d.digest).toBe(subject);
    const list = await client.listReferrers(ref, d, deadlineSignal(10_000), { artifactType: NOTATION_SIGNATURE });
    expect(list.map((x) => x.descriptor.digest).sort()).toEqual(signatures);
  });
});
