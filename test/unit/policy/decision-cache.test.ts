import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWasmPolicyEngine } from '../../../src/policy/create-wasm-policy-engine.js';
import { defaultPolicyBundle } from '../../../src/policy/default-policy-bundle.js';
import type { PolicyInput } from '../../../src/policy/types.js';
import type { VerifierResult } from '../../../src/verifiers/verifier.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';

const result = (valid: boolean): VerifierResult => ({
  verifier: 'release', type: 'notation', artifactType: 'application/vnd.cncf.notary.signature',
  referrer: { digest: 'sha256:bb', mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: {} },
  valid, message: valid ? 'signature verified' : 'signature invalid', details: {}, nested: [],
});

const input = (uid: string, over: { namespace?: string; results?: VerifierResult[] } = {}): PolicyInput => ({
  subject: { reference: 'r.example/app@sha256:aa', registry: 'r.example', repository: 'app', digest: 'sha256:aa', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  request: { uid, operation: 'CREATE', namespace: over.namespace ?? 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'p', userInfo: { username: 'me', groups: [] } },
  results: over.results ?? [result(true)],
  errors: [],
});

/** Compiles one Rego module (package portcullis) with the real opa. */
async function bundle(rego: string, data: Record<string, unknown> = {}): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-decision-cache-'));
  writeFileSync(join(dir, 'policy.rego'), `package portcullis\n\nimport rego.v1\n\n${rego}\n`);
  writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
  return (await buildFixtureBundle(dir)).bytes;
}

/** A clock that counts how often the engine evaluated the Wasm policy (read once per evaluation). */
function countingClock() {
  const clock = { calls: 0, now: 1_700_000_000_000_000_000n, nowNs: () => { clock.calls++; return clock.now; } };
  return clock;
}

describe('policy decision cache (issue 15, src/policy/create-decision-cache.ts)', () => {
  let signedInNamespace: Uint8Array;
  let readsUid: Uint8Array;
  let readsClock: Uint8Array;
  let readsKeyFromData: Uint8Array;
  let denyAll: Uint8Array;
  beforeAll(async () => {
    // Decides on results and a request field, and says which in its reason (no results: denied).
    signedInNamespace = await bundle([
      'decision := {"allowed": count(deny) == 0, "reasons": sort([r | some r in deny]), "warnings": []}',
      'deny contains sprintf("no valid signature in %s", [input.request.namespace]) if { every r in input.results { not r.valid } }',
    ].join('\n'));
    readsUid = await bundle('decision := {"allowed": true, "reasons": [], "warnings": [input.request.uid]}');
    readsClock = await bundle('decision := {"allowed": time.now_ns() < 1800000000000000000, "reasons": ["too late"], "warnings": []}');
    readsKeyFromData = await bundle('decision := {"allowed": true, "reasons": [], "warnings": [input.request[data.field]]}', { field: 'uid' });
    denyAll = await bundle('decision := {"allowed": false, "reasons": ["denied by the second policy"], "warnings": []}');
  }, 120_000);

  it('decides an input again only when something other than the uid differs', async () => {
    const clock = countingClock();
    const engine = createWasmPolicyEngine({ nowNs: clock.nowNs });
    await engine.load(signedInNamespace);
    const allowed = { allowed: true, reasons: [], warnings: [] };
    expect(await engine.evaluate(input('u1'))).toEqual(allowed);
    expect(await engine.evaluate(input('u2'))).toEqual(allowed);
    expect(clock.calls).toBe(1);
    expect(engine.cachedDecisions()).toBe(1);
    // A different result, or a different request field, is a different key: evaluated afresh.
    expect(await engine.evaluate(input('u3', { results: [result(false)] }))).toEqual({ allowed: false, reasons: ['no valid signature in default'], warnings: [] });
    expect(await engine.evaluate(input('u4', { results: [result(false)], namespace: 'prod' }))).toEqual({ allowed: false, reasons: ['no valid signature in prod'], warnings: [] });
    expect(clock.calls).toBe(3);
    expect(engine.cachedDecisions()).toBe(3);
  }, 30_000);

  it('keys results by content: an equal copy (as Redis serves it) hits, a change deep in a result misses', async () => {
    const clock = countingClock();
    const engine = createWasmPolicyEngine({ nowNs: clock.nowNs });
    await engine.load(signedInNamespace);
    const served = result(true);
    await engine.evaluate(input('u1', { results: [served] }));
    await engine.evaluate(input('u2', { results: [served] }));
    await engine.evaluate(input('u3', { results: [structuredClone(served)] }));
    expect(clock.calls).toBe(1);
    // Differs only in a nested result: a different input, decided afresh.
    const nestedInvalid = { ...served, nested: [result(false)] };
    await engine.evaluate(input('u4', { results: [nestedInvalid] }));
    await engine.evaluate(input('u5', { results: [served, served] }));
    expect(clock.calls).toBe(3);
    expect(engine.cachedDecisions()).toBe(3);
  }, 30_000);

  it('hands out copies: a caller changing a decision does not change the cached one', async () => {
    const engine = createWasmPolicyEngine();
    await engine.load(signedInNamespace);
    const first = await engine.evaluate(input('u1', { results: [] }));
    first.reasons.push('changed by the caller');
    expect((await engine.evaluate(input('u2', { results: [] }))).reasons).toEqual(['no valid signature in default']);
  }, 30_000);

  it('starts empty with every newly loaded policy', async () => {
    const engine = createWasmPolicyEngine();
    await engine.load(signedInNamespace);
    expect((await engine.evaluate(input('u1'))).allowed).toBe(true);
    await engine.load(denyAll);
    expect(engine.cachedDecisions()).toBe(0);
    expect(await engine.evaluate(input('u2'))).toEqual({ allowed: false, reasons: ['denied by the second policy'], warnings: [] });
  }, 30_000);

  it('never caches a policy that names request.uid, calls time.now_ns or takes a field name from data', async () => {
    const uid = createWasmPolicyEngine();
    await uid.load(readsUid);
    expect(uid.cachedDecisions()).toBeNull();
    expect((await uid.evaluate(input('u1'))).warnings).toEqual(['u1']);
    expect((await uid.evaluate(input('u2'))).warnings).toEqual(['u2']);

    const clock = countingClock();
    const timed = createWasmPolicyEngine({ nowNs: clock.nowNs });
    await timed.load(readsClock);
    expect(timed.cachedDecisions()).toBeNull();
    expect((await timed.evaluate(input('u1'))).allowed).toBe(true);
    clock.now = 1_900_000_000_000_000_000n;
    expect((await timed.evaluate(input('u1'))).allowed).toBe(false);

    const fromData = createWasmPolicyEngine();
    await fromData.load(readsKeyFromData);
    expect(fromData.cachedDecisions()).toBeNull();
    expect((await fromData.evaluate(input('u1'))).warnings).toEqual(['u1']);
    expect((await fromData.evaluate(input('u2'))).warnings).toEqual(['u2']);

    // The same through config policy.data (merged over the bundle's data).
    const fromConfig = createWasmPolicyEngine({ data: { field: 'uid' } });
    await fromConfig.load(await bundle('decision := {"allowed": true, "reasons": [], "warnings": [input.request[data.field]]}'));
    expect(fromConfig.cachedDecisions()).toBeNull();
    expect((await fromConfig.evaluate(input('u9'))).warnings).toEqual(['u9']);
  }, 60_000);

  it('is bounded, and off with maxCachedDecisions 0', async () => {
    const engine = createWasmPolicyEngine({ maxCachedDecisions: 3 });
    await engine.load(signedInNamespace);
    for (let i = 0; i < 10; i++) await engine.evaluate(input(`u${i}`, { namespace: `ns${i}` }));
    expect(engine.cachedDecisions()).toBe(3);
    const off = createWasmPolicyEngine({ maxCachedDecisions: 0 });
    await off.load(signedInNamespace);
    expect(off.cachedDecisions()).toBeNull();
  }, 30_000);

  it('applies to the bundled default policy', async () => {
    const engine = createWasmPolicyEngine();
    await engine.load(await defaultPolicyBundle());
    expect(engine.cachedDecisions()).toBe(0);
  }, 60_000);
});
