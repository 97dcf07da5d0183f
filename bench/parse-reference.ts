/**
 * What the canonical registry identity costs per image: `parseReference` (grammar + identity)
 * and `canonicalRegistryHost` alone (the WHATWG URL parse that writes the host one way), over
 * references in several spellings. Prints ns per call; asserts only that the answers are right.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/parse-reference.ts [--iterations N]
 */
import { parseReference } from '../src/oci/reference.js';
import { canonicalRegistryHost } from '../src/oci/registry-identity.js';

const arg = process.argv.indexOf('--iterations');
const iterations = arg > 0 ? Number(process.argv[arg + 1]) : 200_000;
const D = `sha256:${'ab'.repeat(32)}`;
const refs = [
  'nginx:1.27', `registry-1.docker.io/library/nginx:1.27@${D}`, 'index.docker.io/nginx',
  'REGISTRY.corp.example:443/prod/app:1.0', `registry.corp.example/prod/app@${D}`,
  'ghcr.io/org/team/app:v1', '127.0.0.1:5000/a/b:tag', '[0:0::1]:5000/app:1',
];
const hosts = ['REGISTRY.corp.example:443', 'registry-1.docker.io', 'ghcr.io', '127.0.0.1:5000', '[0:0::1]:5000'];

function measure(label: string, inputs: readonly string[], fn: (s: string) => unknown): void {
  for (let i = 0; i < 20_000; i++) fn(inputs[i % inputs.length]!);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(inputs[i % inputs.length]!);
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(`${label.padEnd(24)} ${ns.toFixed(0).padStart(6)} ns/call  (${iterations} calls)`);
}

if (parseReference('REGISTRY.corp.example:443/prod/app').registry !== 'registry.corp.example') throw new Error('wrong identity');
console.log(`node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
measure('parseReference', refs, parseReference);
measure('canonicalRegistryHost', hosts, canonicalRegistryHost);
