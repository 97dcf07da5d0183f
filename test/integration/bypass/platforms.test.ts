/**
 * Bypass class "platforms" (issue 13, class 4; docs/platforms.md). With
 * `validation.platforms: [list]`, an index entry whose platform was not spelled exactly like a
 * listed one was neither verified nor refused. A signed linux/amd64 manifest therefore carried
 * an unsigned linux/arm64 one into a mixed-architecture cluster. Real registry (olareg), real
 * `oras` index, real `notation` signature on the amd64 manifest only, real Portcullis over HTTPS.
 * Both cases below were admitted before the fix. Now both are denied, naming the platform.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { validatePod, type ValidateAnswer } from '../../helpers/pod-review.js';
import { pushImage, pushIndex } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { notationVerifierEntry } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

let registry: RunningRegistry;
let notation: NotationCli;
let image: string;
const servers: TestPortcullis[] = [];

async function validateWith(platforms: string[]): Promise<ValidateAnswer> {
  const p = await startTestPortcullis({
    config: { registries: { insecure: [registry.host] }, validation: { platforms }, verifiers: [notationVerifierEntry(notation)] },
  });
  servers.push(p);
  return validatePod(p, [image]);
}

beforeAll(async () => {
  registry = await startRegistry('olareg');
  notation = createNotationCli();
  await notation.run(['cert', 'generate-test', 'release']);
  const amd64 = await pushImage(`${registry.host}/app/multi:amd64`, { content: 'amd64 build', platform: 'linux/amd64' });
  // The runtime reads `linux/arm64` and `linux/arm64/v8` as one platform.
  await pushImage(`${registry.host}/app/multi:arm64`, { content: 'unsigned arm64 build', platform: 'linux/arm64' });
  const index = await pushIndex(`${registry.host}/app/multi:1`, ['amd64', 'arm64']);
  await notation.run(['sign', '--insecure-registry', '--key', 'release', `${registry.host}/app/multi@${amd64.digest}`]);
  image = `${registry.host}/app/multi:1@${index.digest}`;
}, 120_000);
afterAll(async () => {
  for (const p of servers) await p.close();
  notation?.cleanup();
  await registry?.stop();
});

describe('bypass: an unsigned platform manifest never rides along with a signed one', () => {
  it('an unlisted platform entry makes the index verify, and the unsigned index denies, naming the platform', async () => {
    const answer = await validateWith(['linux/amd64']);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toBe(
      `image "${image}" denied: index (verified for linux/arm64, not in validation.platforms): no valid signature: no Notation or Cosign signature found for this image`,
    );
  }, 60_000);

  it('a listed platform spelled differently (linux/arm64/v8) is still that platform, and is verified', async () => {
    const answer = await validateWith(['linux/amd64', 'linux/arm64/v8']);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toBe(`image "${image}" denied: linux/arm64: no valid signature: no Notation or Cosign signature found for this image`);
  }, 60_000);

  it('still admits the image when every pullable manifest is verified', async () => {
    const answer = await validateWith(['linux/amd64']);
    expect(answer.allowed).toBe(false); // the control above: arm64 is unsigned
    await notation.run(['sign', '--insecure-registry', '--key', 'release', image.replace(':1@', '@')]);
    expect((await validateWith(['linux/amd64'])).allowed).toBe(true); // now the index verifies on arm64's behalf
  }, 60_000);
});
