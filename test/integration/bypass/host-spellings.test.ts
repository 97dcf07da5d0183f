/**
 * Bypass class 3 of issue 13 ("Host spellings skip the stricter rule") end to end: a real
 * registry (olareg), images signed with the real `notation` CLI, a real Portcullis over HTTPS
 * with the default Rego policy. The trust policy has a strict statement for
 * `localhost:<port>/prod/app` (release key only) and a `*` statement that also trusts a
 * developer key. The attack: an image signed with the developer key, named by the Pod with
 * another spelling of the same registry (`LOCALHOST:<port>`), to be judged by `*`.
 *
 * It must be judged by the strict statement, exactly as under its canonical spelling, and a
 * release-signed image must be admitted under every spelling. `registries.insecure` lists each
 * spelling, standing in for an HTTPS registry that answers under all of them (the test
 * registries speak plain HTTP): so the code before the canonical identity reached the registry
 * under each spelling, selected `*`, and admitted the developer-signed image.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { createNotationCli, type NotationCli } from '../../helpers/notation-cli.js';
import { pushImage } from '../../helpers/push-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';
import { NOTARY_SIGNATURE } from '../../helpers/signed-images-fixture.js';
import { startTestPortcullis, type TestPortcullis } from '../../helpers/start-test-portcullis.js';

interface ReviewResponse { response: { uid: string; allowed: boolean; status?: { message: string } } }

/** Other spellings of `localhost:<port>` a Pod may use. */
const SPELLINGS: readonly (readonly [string, (port: string) => string])[] = [
  ['upper case', (p) => `LOCALHOST:${p}`],
  ['mixed case', (p) => `LocalHost:${p}`],
  ['a leading zero in the port', (p) => `localhost:0${p}`],
];

let uid = 0;
function podReview(image: string): object {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `host-spellings-${++uid}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web', namespace: 'default', operation: 'CREATE', userInfo: { username: 'mallory', groups: [] },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image }] } },
      oldObject: null, dryRun: false,
    },
  };
}

describe('bypass class 3 (real registry): a host spelling never reaches the wildcard trust policy', () => {
  let registry: RunningRegistry;
  let notation: NotationCli;
  let portcullis: TestPortcullis;
  let port: string;
  let devSigned: string;
  let releaseSigned: string;
  let devTool: string;

  const validate = async (image: string): Promise<ReviewResponse['response']> => {
    const res = await portcullis.review('/validate?timeout=10s', podReview(image), { timeoutMs: 15_000 });
    expect(res.status).toBe(200);
    return res.json<ReviewResponse>().response;
  };
  const push = async (repository: string, content: string, key: string): Promise<string> => {
    const target = `${registry.host}/${repository}`;
    const { digest } = await pushImage(`${target}:1`, { content });
    await notation.run(['sign', '--insecure-registry', '--key', key, `${target}@${digest}`]);
    return digest;
  };

  beforeAll(async () => {
    registry = await startRegistry('olareg');
    port = registry.host.slice(registry.host.lastIndexOf(':') + 1);
    notation = createNotationCli();
    await notation.run(['cert', 'generate-test', 'release']);
    await notation.run(['cert', 'generate-test', 'dev']);
    devSigned = await push('prod/app', 'signed by a developer', 'dev');
    releaseSigned = await push('prod/app', 'signed for release', 'release');
    devTool = await push('dev/tool', 'a developer tool', 'dev');
    const store = (key: string) => [join(notation.configDir, 'localkeys', `${key}.crt`)];
    const spellings = SPELLINGS.map(([, spell]) => spell(port));
    portcullis = await startTestPortcullis({
      config: {
        registries: { insecure: [`localhost:${port}`, ...spellings] },
        verifiers: [{
          name: 'signatures', type: 'notation', artifactTypes: [NOTARY_SIGNATURE], watch: false,
          trustStores: { ca: { release: store('release'), dev: store('dev') } },
          trustPolicy: {
            version: '1.0',
            trustPolicies: [
              { name: 'prod', registryScopes: [`localhost:${port}/prod/app`], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] },
              { name: 'everything-else', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release', 'ca:dev'], trustedIdentities: ['*'] },
            ],
          },
        }],
      },
    });
  }, 120_000);
  afterAll(async () => {
    await portcullis?.close();
    notation?.cleanup();
    await registry?.stop();
  });

  it('the wildcard statement admits a developer-signed image outside the strict scope (the attack has a target)', async () => {
    expect(await validate(`localhost:${port}/dev/tool@${devTool}`)).toMatchObject({ allowed: true });
  });

  it('the strict statement denies the developer-signed image under its canonical spelling', async () => {
    const r = await validate(`localhost:${port}/prod/app@${devSigned}`);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toMatch(/ca:release/);
  });

  it.each(SPELLINGS)('the strict statement denies it, for the same reason, when the host is spelled with %s', async (_what, spell) => {
    const canonical = await validate(`localhost:${port}/prod/app@${devSigned}`);
    const spelled = await validate(`${spell(port)}/prod/app@${devSigned}`);
    expect(spelled.allowed).toBe(false);
    // The message may name the image as written or canonically; either spelling reads HOST.
    const norm = (m: string | undefined) => m?.replaceAll(spell(port), 'HOST').replaceAll(`localhost:${port}`, 'HOST');
    expect(norm(spelled.status?.message)).toBe(norm(canonical.status?.message));
  });

  it.each([`LOCALHOST:PORT`, `localhost:PORT`, 'Localhost:0PORT'])('admits the release-signed image written %s', async (host) => {
    expect(await validate(`${host.replace('PORT', port)}/prod/app@${releaseSigned}`)).toMatchObject({ allowed: true });
  });
});
