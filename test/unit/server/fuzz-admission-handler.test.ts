/**
 * Fuzz test over the whole admission handler (issue 13): seeded, reproducible mutations of
 * the real AdmissionReviews in test/fixtures/admission/ — wrong types at every field, fields
 * removed, prototype-named keys added at every object (namespace, labels, annotations,
 * nodeSelector, the spec, the request…), prototype names as string values — sent over HTTP to
 * the real handler. Properties:
 *  - never a 5xx, never a crash: every request is answered, 200 with a decision for the same
 *    uid, or 400 with a code for a broken envelope;
 *  - in enforce mode, with a validator that denies every image, a covered Pod that carries any
 *    image, or that cannot be read, is never allowed;
 *  - a /mutate patch always applies cleanly to the object it was made for.
 * A failure prints the seed and the shrunk counterexample; rerun with the same seed to replay.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { createNamespaceModeSource } from '../../../src/kubernetes/namespace-mode-source.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { FIXTURES, fixture } from '../../helpers/admission-fixtures.js';
import { startAdmissionApp, type AdmissionApp } from '../../helpers/admission-app.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';
import { PROTOTYPE_NAMES } from '../../helpers/prototype-names.js';

const SEED = 20_261_303;
const RUNS_PER_WEBHOOK = 1200;
const DIGEST = `sha256:${'0f'.repeat(32)}`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = ReadonlyArray<string | number>;

const FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const WRONG: Json[] = [
  null, 0, -1, 1.5, 1e308, true, false, '', ' ', 'x', 'constructor', '__proto__', 'kube-system', '../..', 'a'.repeat(300),
  [], [null], [1], ['nginx'], [{}], {}, { a: 1 }, { image: 'nginx' }, { __proto__: 'x' } as Json,
];
const MAP_FIELDS = ['labels', 'annotations', 'nodeSelector', 'namespaces', 'extra', 'image', 'spec', 'metadata', ...PROTOTYPE_NAMES];

/** Sets an own property, even `__proto__`, so JSON.stringify writes it. */
function setOwn(target: Record<string, Json> | Json[], key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every path into the document (objects and arrays included), root first. */
function paths(doc: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out));
  else if (doc !== null && typeof doc === 'object') for (const k of Object.keys(doc)) paths(doc[k] as Json, [...at, k], out);
  return out;
}

function get(doc: Json, path: Path): Json | undefined {
  let at: Json | undefined = doc;
  for (const k of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = Object.hasOwn(at, k) ? (at as Record<string | number, Json>)[k] : undefined;
  }
  return at;
}

type Mutation =
  | { op: 'replace'; at: number; value: Json }
  | { op: 'delete'; at: number }
  | { op: 'protoKey'; at: number; key: string; value: Json }
  | { op: 'protoMap'; at: number; field: string; key: string; value: Json }
  | { op: 'protoString'; at: number; name: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('protoKey' as const), at: fc.nat(), key: fc.constantFrom(...PROTOTYPE_NAMES), value: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('protoMap' as const), at: fc.nat(), field: fc.constantFrom(...MAP_FIELDS), key: fc.constantFrom(...PROTOTYPE_NAMES), value: fc.constantFrom(...WRONG) }),
  fc.record({ op: fc.constant('protoString' as const), at: fc.nat(), name: fc.constantFrom(...PROTOTYPE_NAMES) }),
);

/** Applies the mutations in order to a copy; each picks its target among the current paths. */
function mutate(base: Json, mutations: readonly Mutation[]): Json {
  let doc = structuredClone(base);
  for (const m of mutations) {
    const all = paths(doc);
    const path = all[m.at % all.length]!;
    const parent = path.length > 0 ? get(doc, path.slice(0, -1)) : undefined;
    const key = path.at(-1);
    const target = get(doc, path);
    const container = (v: Json | undefined): v is Record<string, Json> | Json[] => v !== null && typeof v === 'object';
    switch (m.op) {
      case 'replace':
        if (key === undefined) doc = structuredClone(m.value);
        else if (container(parent)) setOwn(parent, key, structuredClone(m.value));
        break;
      case 'delete':
        if (container(parent) && key !== undefined) {
          if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
          else delete (parent as Record<string, Json>)[key];
        }
        break;
      case 'protoKey':
        if (container(target) && !Array.isArray(target)) setOwn(target, m.key, structuredClone(m.value));
        break;
      case 'protoMap':
        if (container(target) && !Array.isArray(target)) {
          const map: Record<string, Json> = {};
          setOwn(map, m.key, structuredClone(m.value));
          setOwn(map, 'app', m.key);
          setOwn(target, m.field, map);
        }
        break;
      case 'protoString':
        if (typeof target === 'string' && container(parent) && key !== undefined) setOwn(parent, key, m.name);
        break;
    }
  }
  return doc;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An oracle written apart from src/admission/find-images.ts: whether a /validate answer in
 * enforce mode, with every image denied, must be a denial. True for a Pod (CREATE/UPDATE, not
 * excluded) that carries an image anywhere or whose spec cannot be read.
 */
function mustDeny(review: Json): boolean {
  const req = isObj(review) ? review.request : undefined;
  if (!isObj(req) || !isObj(req.kind) || req.kind.group !== '' || req.kind.kind !== 'Pod') return false;
  if (req.subResource !== undefined && req.subResource !== null) return false;
  if (req.namespace === 'kube-system' || !isObj(req.object)) return false;
  const spec = req.object.spec;
  if (spec === undefined || spec === null) return false;
  if (!isObj(spec)) return true;
  const update = req.operation === 'UPDATE';
  for (const field of ['initContainers', 'containers', 'ephemeralContainers', 'volumes']) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) return true;
    // On UPDATE, ephemeral containers and volumes unchanged from oldObject are not looked at.
    const mayBeOld = update && (field === 'ephemeralContainers' || field === 'volumes');
    for (const entry of list) {
      if (!isObj(entry)) return true;
      let image: unknown = entry.image;
      if (field === 'volumes') {
        if (image === undefined || image === null) continue;
        if (!isObj(image)) return true;
        image = image.reference;
      }
      if (image === undefined || image === null || image === '') continue;
      if (typeof image !== 'string') return true;
      if (!mayBeOld) return true;
    }
  }
  return false;
}

interface Answer { status: number; text: string; json<T = unknown>(): T }
interface ReviewOut { apiVersion: string; kind: string; response: { uid: string; allowed: boolean; patch?: string; patchType?: string; status?: { message: string } } }

/** The properties every answer has, whatever was sent. */
function checkAnswer(sent: Json, r: Answer): ReviewOut | undefined {
  expect(r.status === 200 || r.status === 400).toBe(true);
  const body = r.json<Record<string, unknown>>();
  if (r.status === 400) {
    expect(body).toEqual({ code: expect.any(String), message: expect.any(String) });
    return undefined;
  }
  const out = body as unknown as ReviewOut;
  expect(out.apiVersion).toBe('admission.k8s.io/v1');
  expect(out.kind).toBe('AdmissionReview');
  expect(out.response.uid).toBe((sent as { request: { uid: string } }).request.uid);
  expect(typeof out.response.allowed).toBe('boolean');
  return out;
}

describe('the admission handler under fuzzed AdmissionReviews', () => {
  let app: AdmissionApp;
  const bases = FILES.map((f) => fixture(f) as unknown as Json);
  const cases = fc.record({ base: fc.nat({ max: bases.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) });

  beforeAll(async () => {
    const api = createFakeKubeApi();
    // Prototype-named Namespaces that ask to be relaxed: the label must not take effect.
    for (const ns of [...PROTOTYPE_NAMES, 'default', 'team-a']) api.setNamespace(ns, { 'portcullis.dev/mode': 'audit', [ns]: ns });
    app = await startAdmissionApp({
      ports: {
        validator: new FakeImageValidator({ denyAll: 'unsigned' }),
        pinner: new FakeImagePinner({ pinAll: DIGEST }),
        namespaceModes: createNamespaceModeSource({ reader: api, logger: silentLogger() }),
      },
      config: { validation: { mode: 'enforce' } },
    });
  });
  afterAll(async () => { await app?.close(); });

  it('every unmutated fixture is answered with a decision', async () => {
    for (const base of bases) checkAnswer(base, await app.review('/validate', JSON.stringify(base)));
  });

  it(`/validate: never a 5xx, and never an allow of an imaged or unreadable Pod in enforce mode (${RUNS_PER_WEBHOOK} cases, seed ${SEED})`, async () => {
    let denials = 0;
    await fc.assert(fc.asyncProperty(cases, async ({ base, mutations }) => {
      const sent = mutate(bases[base]!, mutations);
      const out = checkAnswer(sent, await app.review('/validate', JSON.stringify(sent)));
      if (out && mustDeny(sent)) {
        expect(out.response.allowed).toBe(false);
        denials++;
      }
    }), { seed: SEED, numRuns: RUNS_PER_WEBHOOK });
    // The oracle was exercised, not vacuous.
    expect(denials).toBeGreaterThan(RUNS_PER_WEBHOOK / 10);
  }, 60_000);

  it(`/mutate: never a 5xx, and every patch applies to its object (${RUNS_PER_WEBHOOK} cases, seed ${SEED + 1})`, async () => {
    let patched = 0;
    await fc.assert(fc.asyncProperty(cases, async ({ base, mutations }) => {
      const sent = mutate(bases[base]!, mutations);
      const out = checkAnswer(sent, await app.review('/mutate', JSON.stringify(sent)));
      if (!out?.response.patch) return;
      const ops = JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8')) as fastJsonPatch.Operation[];
      const object = structuredClone((sent as { request: { object: Json } }).request.object);
      // validateOperation=true: a replace at a path that does not exist throws.
      expect(() => fastJsonPatch.applyPatch(object, ops, true, false)).not.toThrow();
      patched++;
    }), { seed: SEED + 1, numRuns: RUNS_PER_WEBHOOK });
    expect(patched).toBeGreaterThan(RUNS_PER_WEBHOOK / 10);
  }, 60_000);
});
