/**
 * Property tests for the canonical registry identity (issue 13, "Proven by"): any two spellings
 * the container runtime treats as one registry — host case, the default HTTPS port, Docker
 * Hub's names, the `library/` prefix, IPv6 literal forms — select the same Notation trust
 * policy, Cosign scope, exclusion and credential, and genuinely different registries (another
 * port, another host) never select each other's.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseReference, formatReference } from '../../../src/oci/reference.js';
import { compileHostRules, type HostRules } from '../../helpers/host-rule-selection.js';

/** A registry and repository, canonical, with a way to write it differently. */
interface Identity {
  readonly kind: 'dns' | 'ipv6' | 'hub';
  /** Canonical host without port (`[::1]` for IPv6). */
  readonly host: string;
  /** Port other than 443, or undefined. */
  readonly port: number | undefined;
  readonly repository: string;
}

const SEED = 0x13c0ffee;
const HUB_NAMES = ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'];
const RUNS = 150;

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const component = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const path = fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join('/'));
const port = fc.option(fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 443), { nil: undefined });

const dnsIdentity: fc.Arbitrary<Identity> = fc.record({
  // The last label has a letter (a numeric one would make the host an IPv4 address).
  host: fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/)).map(([ls, tld]) => [...ls, tld].join('.')),
  port, repository: path,
}).filter((i) => !HUB_NAMES.includes(i.host))
  .map((i) => ({ kind: 'dns' as const, ...i }));
const ipv6Identity: fc.Arbitrary<Identity> = fc.record({ port, repository: path }).map((i) => ({ kind: 'ipv6' as const, host: '[::1]', ...i }));
const hubIdentity: fc.Arbitrary<Identity> = fc.oneof(component.map((c) => `library/${c}`), fc.tuple(component, path).map(([a, b]) => `${a}/${b}`))
  .map((repository) => ({ kind: 'hub' as const, host: 'docker.io', port: undefined, repository }));
const identity = fc.oneof(dnsIdentity, ipv6Identity, hubIdentity);

const canonicalName = (id: Identity) => `${id.host}${id.port === undefined ? '' : `:${id.port}`}/${id.repository}`;

/** Random upper/lower case of each letter. */
const anyCase = (s: string): fc.Arbitrary<string> => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })
  .map((up) => [...s].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join(''));

/** A `host[:port]` spelling of the identity's registry (never omitted). */
function spellHost(id: Identity): fc.Arbitrary<string> {
  const hosts = id.kind === 'hub'
    ? fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com')
    : id.host === '[::1]' ? fc.constantFrom('[::1]', '[0::1]', '[0:0:0:0:0:0:0:1]', '[0000::0001]') : fc.constant(id.host);
  const ports = id.port === undefined
    ? fc.constantFrom('', ':443', ':0443')
    : fc.constantFrom(`:${id.port}`, `:0${id.port}`);
  return fc.tuple(hosts.chain(anyCase), ports).map(([h, p]) => h + p);
}

/** A full `registry/repository` spelling; Hub names may drop the host and `library/`. */
function spellName(id: Identity, { hostRequired = false } = {}): fc.Arbitrary<string> {
  const withHost = fc.tuple(spellHost(id), fc.boolean()).map(([h, dropLibrary]) =>
    `${h}/${id.kind === 'hub' && dropLibrary ? id.repository.replace(/^library\//, '') : id.repository}`);
  if (id.kind !== 'hub' || hostRequired) return withHost;
  return fc.oneof(withHost, fc.constant(id.repository.replace(/^library\//, '')), fc.constant(id.repository));
}

const suffix = fc.oneof(fc.constant(''), fc.constant(':1.0'), fc.constant(`@sha256:${'ab'.repeat(32)}`), fc.constant(`:v2@sha256:${'cd'.repeat(32)}`));
const spellImage = (id: Identity) => fc.tuple(spellName(id), suffix).map(([n, s]) => n + s);

/** Rules naming one registry, each written with its own (random) spelling. */
function spellRules(id: Identity): fc.Arbitrary<HostRules> {
  return fc.record({
    notation: spellName(id, { hostRequired: true }), cosign: spellName(id), exclusion: spellName(id),
    credentialHost: spellHost(id), dockerConfigHost: spellHost(id), pullSecretHost: spellHost(id),
  }).map((s) => ({
    notationScopes: [s.notation], cosignScopes: [s.cosign], excludeImages: [s.exclusion],
    credentialHosts: [s.credentialHost], dockerConfigKeys: [`https://${s.dockerConfigHost}/v1/`], pullSecretKeys: [s.pullSecretHost],
  }));
}

/** Another registry that looks like `id`'s: another port, or a host one label or one character away. */
function lookAlike(id: Identity): fc.Arbitrary<Identity> {
  const otherPort = fc.constantFrom(80, 5000, 8443, 444).filter((p) => p !== id.port).map((p) => ({ ...id, kind: id.kind === 'hub' ? 'dns' as const : id.kind, port: p }));
  if (id.kind === 'ipv6') return fc.oneof(otherPort, fc.constant({ ...id, host: '[::2]' }));
  const otherHost = fc.oneof(
    label.map((l) => `${l}.${id.host}`),
    label.map((l) => `${id.host}.${l}x`),
    label.map((l) => `${l}${id.host}`),
  ).filter((host) => !HUB_NAMES.includes(host)).map((host) => ({ ...id, kind: 'dns' as const, host }));
  return fc.oneof(otherPort, otherHost);
}

const params = { seed: SEED, numRuns: RUNS };

describe('canonical registry identity (properties)', () => {
  it('gives every spelling of a reference the identity of its canonical name', () => {
    fc.assert(fc.property(identity.chain((id) => fc.tuple(fc.constant(id), spellImage(id))), ([id, image]) => {
      const ref = parseReference(image);
      expect(`${ref.registry}/${ref.repository}`).toBe(canonicalName(id));
      expect(ref.original).toBe(image);
      // Formatting and parsing again is a fixed point.
      const again = parseReference(formatReference(ref));
      expect([again.registry, again.repository, again.tag, again.digest]).toEqual([ref.registry, ref.repository, ref.tag, ref.digest]);
    }), params);
  });

  it('makes two spellings select the same trust policy, cosign scope, exclusion and credential', async () => {
    await fc.assert(fc.asyncProperty(
      identity.chain((id) => fc.tuple(spellRules(id), spellImage(id), spellImage(id))),
      async ([rules, a, b]) => {
        const compiled = await compileHostRules(rules);
        const [sa, sb] = [await compiled.select(a), await compiled.select(b)];
        expect(sb).toEqual(sa);
        // …and it is the rule written for that registry, whatever spelling the config used.
        expect(sa).toEqual({
          trustPolicy: rules.notationScopes?.[0], cosign: rules.cosignScopes, excluded: true,
          credential: rules.credentialHosts?.[0], dockerConfigCredential: rules.dockerConfigKeys?.[0], pullSecretKey: rules.pullSecretKeys?.[0],
        });
      },
    ), { ...params, numRuns: 60 });
  });

  it('never lets another port or another host select those rules', async () => {
    await fc.assert(fc.asyncProperty(
      identity.chain((id) => fc.tuple(spellRules(id), lookAlike(id).chain((other) => fc.tuple(fc.constant(other), spellImage(other))))),
      async ([rules, [other, image]]) => {
        const compiled = await compileHostRules(rules);
        expect(await compiled.select(image)).toEqual({
          trustPolicy: '*', cosign: [], excluded: false, credential: undefined, dockerConfigCredential: undefined, pullSecretKey: undefined,
        });
        const ref = parseReference(image);
        expect(`${ref.registry}/${ref.repository}`).toBe(canonicalName(other));
      },
    ), { ...params, numRuns: 60 });
  });
});
