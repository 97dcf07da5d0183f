/**
 * Bypass corpus, class 3 of issue 13: "Host spellings skip the stricter rule". Each attack is
 * data: the rules an operator configured and the image spelling a Pod uses. A registry written
 * in another case, with the default HTTPS port, or under another Docker Hub name must select the
 * rule meant for its canonical name: the strict Notation statement (not the `*` one at level
 * skip), the Cosign verifier scoped to it, the exclusion written for it, the credential stored
 * for it. And a registry that only looks similar (another port, another host) must not.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { compileHostRules, type CompiledRules, type HostRules, type Selection } from '../../helpers/host-rule-selection.js';

const D = `sha256:${'e3'.repeat(32)}`;

/** What an operator usually writes: the canonical names. */
const CANONICAL_RULES: HostRules = {
  notationScopes: ['registry.corp.example/prod/app', 'docker.io/library/nginx'],
  cosignScopes: ['registry.corp.example/prod/**', 'docker.io/library/**'],
  excludeImages: ['registry.corp.example/tools/**', 'docker.io/library/busybox*'],
  credentialHosts: ['registry.corp.example', 'docker.io'],
  dockerConfigKeys: ['registry.corp.example', 'https://index.docker.io/v1/'],
  pullSecretKeys: ['registry.corp.example', 'https://index.docker.io/v1/'],
};

/** The same rules, written with other spellings of the same registries. */
const SPELLED_RULES: HostRules = {
  notationScopes: ['REGISTRY.corp.example:443/prod/app', 'index.docker.io/nginx'],
  cosignScopes: ['Registry.Corp.Example:443/prod/**', 'registry-1.docker.io/library/**'],
  excludeImages: ['registry.corp.example:443/tools/**', 'busybox*'],
  credentialHosts: ['REGISTRY.corp.example:443', 'registry-1.docker.io'],
  dockerConfigKeys: ['https://Registry.Corp.Example:443/v2/', 'index.docker.io'],
  pullSecretKeys: ['registry.corp.example:443', 'Registry-1.Docker.io:443'],
};

const APP: Selection = {
  trustPolicy: 'registry.corp.example/prod/app',
  cosign: ['registry.corp.example/prod/**'],
  excluded: false,
  credential: 'registry.corp.example',
  dockerConfigCredential: 'registry.corp.example',
  pullSecretKey: 'registry.corp.example',
};
const NGINX: Selection = {
  trustPolicy: 'docker.io/library/nginx',
  cosign: ['docker.io/library/**'],
  excluded: false,
  credential: 'docker.io',
  dockerConfigCredential: 'https://index.docker.io/v1/',
  pullSecretKey: 'https://index.docker.io/v1/',
};
const TOOL = { ...APP, trustPolicy: '*', cosign: [], excluded: true };
const BUSYBOX = { ...NGINX, trustPolicy: '*', excluded: true };
const NOTHING: Selection = { trustPolicy: '*', cosign: [], excluded: false, credential: undefined, dockerConfigCredential: undefined, pullSecretKey: undefined };

/** [attack, image as the Pod writes it, what it must select under CANONICAL_RULES]. */
const ATTACKS: readonly (readonly [string, string, Selection])[] = [
  ['upper-case host', `REGISTRY.corp.example/prod/app@${D}`, APP],
  ['mixed-case host', 'Registry.Corp.Example/prod/app:1.0', APP],
  ['default HTTPS port', `registry.corp.example:443/prod/app@${D}`, APP],
  ['default HTTPS port with a leading zero', 'registry.corp.example:0443/prod/app:1.0', APP],
  ['case and default port', `REGISTRY.CORP.EXAMPLE:443/prod/app:1.0@${D}`, APP],
  ['Docker Hub API host', 'registry-1.docker.io/library/nginx:1.27', NGINX],
  ['Docker Hub API host without library/', 'registry-1.docker.io/nginx:1.27', NGINX],
  ['Docker Hub index host', `index.docker.io/nginx@${D}`, NGINX],
  ['Docker Hub index host, upper case, :443', 'INDEX.DOCKER.IO:443/library/nginx', NGINX],
  ['Docker Hub legacy host', 'registry.hub.docker.com/library/nginx', NGINX],
  ['Docker Hub without library/', 'docker.io/nginx', NGINX],
  ['an excluded tool, upper case', 'REGISTRY.corp.example/tools/debug:1', TOOL],
  ['an excluded tool, :443', 'registry.corp.example:443/tools/debug:1', TOOL],
  ['an excluded Hub image under the API host', 'registry-1.docker.io/library/busybox:1.36', BUSYBOX],
];

/** Different registries that only look like the configured ones: they must select nothing of theirs. */
const LOOK_ALIKES: readonly (readonly [string, string])[] = [
  ['another port', 'registry.corp.example:5000/prod/app:1.0'],
  ['port 80 (another endpoint for an HTTPS pull)', 'registry.corp.example:80/prod/app:1.0'],
  ['a longer host', 'registry.corp.example.evil.example/prod/app:1.0'],
  ['a host prefix', 'evilregistry.corp.example/prod/app:1.0'],
  ['the host as a path', 'evil.example/registry.corp.example/prod/app:1.0'],
  ['a Hub look-alike host', 'docker.io.evil.example/library/nginx:1.27'],
  ['a Hub API look-alike host', 'registry-1.docker.io.evil.example/library/nginx:1.27'],
  ['Hub on another port', 'docker.io:5000/library/nginx:1.27'],
  ['library/ on another registry', 'ghcr.io/library/nginx:1.27'],
  ['localhost is not Hub', 'localhost/nginx:1.27'],
];

describe('bypass class 3: host spellings', () => {
  for (const [label, rules] of [['rules written with canonical names', CANONICAL_RULES], ['rules written with other spellings', SPELLED_RULES]] as const) {
    describe(`with ${label}`, () => {
      let compiled: CompiledRules;
      beforeAll(async () => { compiled = await compileHostRules(rules); });

      it.each(ATTACKS)('an image spelled with %s (%s) selects the rules of its canonical name', async (_attack, image, expected) => {
        expect(asCanonicalEntries(await compiled.select(image))).toEqual(expected);
      });

      it.each(LOOK_ALIKES)('an image on %s (%s) selects none of them', async (_what, image) => {
        expect(asCanonicalEntries(await compiled.select(image))).toEqual(NOTHING);
      });
    });
  }
});

/**
 * Selections name rules as written (each spelling below is used once across all fields);
 * SPELLED_RULES entries are mapped to the CANONICAL_RULES
 * entry at the same place, so both rule sets are held to one expectation.
 */
const CANONICAL_ENTRY = new Map<string, string>();
for (const field of ['notationScopes', 'cosignScopes', 'credentialHosts', 'dockerConfigKeys', 'pullSecretKeys'] as const) {
  (SPELLED_RULES[field] ?? []).forEach((spelled, i) => CANONICAL_ENTRY.set(spelled, CANONICAL_RULES[field]?.[i] ?? spelled));
}

function asCanonicalEntries(s: Selection): Selection {
  const entry = <T extends string | undefined>(name: T): T => (name === undefined ? name : (CANONICAL_ENTRY.get(name) ?? name) as T);
  return {
    trustPolicy: entry(s.trustPolicy), cosign: s.cosign.map(entry), excluded: s.excluded,
    credential: entry(s.credential), dockerConfigCredential: entry(s.dockerConfigCredential), pullSecretKey: entry(s.pullSecretKey),
  };
}
