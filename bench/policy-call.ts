/**
 * Cost of one policy call on the warm path (issue 15: about half the warm busy time): the
 * bundled default policy (dist/policy/bundle.tar.gz, or policies/ compiled now), one image with
 * 5 valid Notation results, evaluated through the PolicyEngine port as the pipeline calls it.
 * Request uids differ per call, as they do per AdmissionReview.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/policy-call.ts [--calls N]
 */
import { parseArgs } from 'node:util';
import { createWasmPolicyEngine } from '../src/policy/create-wasm-policy-engine.js';
import { defaultPolicyBundle } from '../src/policy/default-policy-bundle.js';
import type { PolicyInput } from '../src/policy/types.js';

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '20000' } } });
const CALLS = Number(args.calls);
const bundle = await defaultPolicyBundle();

const digest = `sha256:${'a'.repeat(64)}`;
const results = (): PolicyInput['results'] => Array.from({ length: 5 }, (_, i) => ({
  verifier: 'release-signatures', type: 'notation' as const, artifactType: 'application/vnd.cncf.notary.signature',
  referrer: { digest: `sha256:${String(i).repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': `["${'b'.repeat(64)}"]` } },
  valid: true, message: 'signature verified', nested: [],
  details: { signingScheme: 'notary.x509', signedAt: '2026-01-01T00:00:00Z', certificates: [{ subject: 'CN=release,O=Notary,L=Seattle,ST=WA,C=US', issuer: 'CN=release,O=Notary,L=Seattle,ST=WA,C=US', sha256: 'b'.repeat(64), notAfter: '2026-12-31T00:00:00Z' }] },
  expiresAt: '2026-12-31T00:00:00Z',
}));
/** The memory cache (and Redis's L1) hands every admission the same result objects; new ones are results new to the process. */
const served = results();
const input = (uid: string, fresh: boolean): PolicyInput => ({
  subject: { reference: `registry.example/app@${digest}`, registry: 'registry.example', repository: 'app', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
  request: { uid, operation: 'CREATE', namespace: 'default', kind: { group: '', version: 'v1', kind: 'Pod' }, name: 'bench', userInfo: { username: 'bench@example.com', groups: ['system:authenticated'] } },
  results: fresh ? results() : served,
  errors: [],
});

/** CPU and wall µs per call, after a warm-up, with the decision cache on or off. */
async function measure(maxCachedDecisions: number, fresh: boolean): Promise<{ wallUs: number; cpuUs: number; cached: number | null }> {
  const engine = createWasmPolicyEngine({ maxCachedDecisions });
  await engine.load(bundle);
  for (let i = 0; i < 2000; i++) await engine.evaluate(input(`warm-${i}`, fresh));
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const d = await engine.evaluate(input(`call-${i}`, fresh));
    if (!d.allowed) throw new Error(`denied: ${d.reasons.join('; ')}`);
  }
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: (ms * 1000) / CALLS, cpuUs: (cpu.user + cpu.system) / CALLS, cached: engine.cachedDecisions() };
}

const off = await measure(0, true);
const on = await measure(4096, true);
const onServed = await measure(4096, false);
const rows: Array<[string, string]> = [
  ['policy calls per variant', String(CALLS)],
  ['decision cache off: wall / CPU per call (µs)', `${off.wallUs.toFixed(1)} / ${off.cpuUs.toFixed(1)}`],
  ['decision cache on, new result objects each call: wall / CPU per call (µs)', `${on.wallUs.toFixed(1)} / ${on.cpuUs.toFixed(1)} (${String(on.cached)} decisions cached)`],
  ['decision cache on, results served again (memory cache): wall / CPU per call (µs)', `${onServed.wallUs.toFixed(1)} / ${onServed.cpuUs.toFixed(1)}`],
  ['CPU per 10-image Pod, off → on → on, served again (ms)', `${(off.cpuUs / 100).toFixed(3)} → ${(on.cpuUs / 100).toFixed(3)} → ${(onServed.cpuUs / 100).toFixed(3)}`],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
