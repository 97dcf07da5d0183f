/**
 * RSS at ready (issue 15: ≤ 80 MiB), per config shape, and what each dependency costs to load.
 * A benchmark: it prints figures and fails only when a server does not get ready.
 *
 * For each config below, the compiled CLI (`bin/portcullis.js serve`, dist/) starts in its own
 * process with no kubeconfig (as in bench/side-by-side.ts), loaded through
 * test/helpers/track-packages.mjs, which records every npm package the process loads. When
 * `/readyz` answers 200 the benchmark reads VmRSS (and VmHWM) from /proc and prints them with
 * the packages loaded, once with Node's defaults and once with the NODE_OPTIONS of
 * manifests/deployment.yaml (heap sizing flags). `--modules` adds a table of what each runtime dependency costs alone:
 * RSS and heap after `import()` in a fresh Node process (after a full GC), and its load time.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/memory-startup.ts [--runs 3] [--modules] [--no-build]
 */
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { generateCertSet, writeCertSet } from '../src/certs/index.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const MiB = 1024 * 1024;
const NOTARY = 'application/vnd.cncf.notary.signature';

function statusKiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

interface Shape { readonly name: string; config(work: string): Record<string, unknown> }

const notation = (work: string) => ({
  name: 'release-signatures', type: 'notation', artifactTypes: [NOTARY], watch: false,
  trustStores: { ca: { release: [join(work, 'trust-ca.pem')] } },
  trustPolicy: { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:release'], trustedIdentities: ['*'] }] },
});

const SHAPES: readonly Shape[] = [
  // What bench/side-by-side.ts runs: memory cache, one Notation verifier, the default policy.
  { name: 'notation, memory cache (side-by-side)', config: (w) => ({ cache: { type: 'memory' }, verifiers: [notation(w)] }) },
  { name: 'cosign key + notation', config: (w) => ({ cache: { type: 'memory' }, verifiers: [notation(w), { name: 'cosign', type: 'cosign', key: join(w, 'cosign.pub'), tlog: { required: false } }] }) },
  { name: 'sbom verifier + notation', config: (w) => ({ cache: { type: 'memory' }, verifiers: [notation(w), { name: 'sbom', type: 'sbom', disallowedLicenses: ['GPL-3.0-only'] }] }) },
];

/** NODE_OPTIONS of the shipped Deployment (manifests/deployment.yaml), so a row can run as deployed. */
function deployedNodeOptions(): string {
  const doc = parse(readFileSync(join(ROOT, 'manifests', 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } } };
  return doc.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}

async function startAndMeasure(work: string, shape: Shape, run: number, nodeOptions: string): Promise<{ readyMiB: number; hwmMiB: number; packages: string[] }> {
  const dir = join(work, `${run}-${shape.name.replace(/\W+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const metricsPort = await freePort();
  const configPath = join(dir, 'portcullis.yaml');
  writeFileSync(configPath, stringify({
    server: { host: '127.0.0.1', port, metricsPort, shutdownGraceMs: 1000 },
    tls: { certFile: join(work, 'certs', 'tls.crt'), keyFile: join(work, 'certs', 'tls.key') },
    ...shape.config(work),
  }));
  const track = join(dir, 'packages.txt');
  writeFileSync(track, '');
  const child = spawn(process.execPath, ['--import', join(ROOT, 'test', 'helpers', 'track-packages.mjs'), join(ROOT, 'bin', 'portcullis.js'), 'serve', '--config', configPath], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: join(dir, 'no-kubeconfig'), PORTCULLIS_TRACK_PACKAGES: track, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${shape.name}: the server exited (${child.exitCode}): ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${shape.name}: not ready in 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMiB = statusKiB(child.pid!, 'VmRSS') / 1024;
    const hwmMiB = statusKiB(child.pid!, 'VmHWM') / 1024;
    return { readyMiB, hwmMiB, packages: readFileSync(track, 'utf8').split('\n').filter(Boolean).sort() };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

/** RSS and heap a package adds to a fresh Node process, after a full GC, and its load time. */
async function moduleCost(pkg: string): Promise<string[]> {
  const script = `const gc = globalThis.gc; gc(); const a = process.memoryUsage(); const t = performance.now();
await import(${JSON.stringify(pkg)}); const ms = performance.now() - t; gc(); const b = process.memoryUsage();
console.log(JSON.stringify([b.rss - a.rss, b.heapUsed - a.heapUsed, ms]));`;
  const { stdout } = await exec(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT });
  const [rss, heap, ms] = JSON.parse(stdout) as [number, number, number];
  return [pkg, (rss / MiB).toFixed(1), (heap / MiB).toFixed(1), ms.toFixed(0)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, modules: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false } } });
  if (!values['no-build'] || !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('npm run build…\n');
    await exec('npm', ['run', 'build'], { cwd: ROOT });
  }
  const work = mkdtempSync(join(tmpdir(), 'portcullis-bench-memory-startup-'));
  try {
    const certs = generateCertSet();
    await writeCertSet(join(work, 'certs'), certs);
    writeFileSync(join(work, 'trust-ca.pem'), generateCertSet().ca.certPem);
    writeFileSync(join(work, 'cosign.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const [load] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    console.log(`machine: load average ${load} at start; ${values.runs} fresh processes per config, median`);
    const deps = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const deployed = deployedNodeOptions();
    console.log(`\n| config | node flags | RSS at ready (MiB) | VmHWM at ready (MiB) | npm packages loaded |\n|---|---|---|---|---|`);
    for (const shape of SHAPES) {
      for (const [label, nodeOptions] of [['node defaults', ''], [`as deployed: ${deployed}`, deployed]] as const) {
        const runs = [];
        for (let r = 0; r < Number(values.runs); r++) runs.push(await startAndMeasure(work, shape, r, nodeOptions));
        const pkgs = runs[0]!.packages;
        const direct = pkgs.filter((p) => deps.includes(p));
        console.log(`| ${shape.name} | ${label} | ${median(runs.map((x) => x.readyMiB)).toFixed(1)} | ${median(runs.map((x) => x.hwmMiB)).toFixed(1)} | ${pkgs.length} (${direct.length} direct: ${direct.join(', ')}) |`);
      }
    }
    if (values.modules) {
      console.log('\n| dependency, alone | RSS added (MiB) | heap added (MiB) | load ms |\n|---|---|---|---|');
      for (const d of deps) console.log(`| ${(await moduleCost(d)).join(' | ')} |`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
