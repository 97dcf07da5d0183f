/**
 * Starts a real OCI registry on loopback for integration tests:
 *  - `distribution`: distribution/distribution v3 (no referrers API: clients must use the tag schema),
 *    optionally with htpasswd or token auth;
 *  - `olareg`: olareg (OCI 1.1 referrers API, no auth). (`crane registry serve` was tried first: its
 *    referrers endpoint is off unless enabled in code, so it answers 404 like distribution.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from './tools.js';

export type RegistryKind = 'distribution' | 'olareg';

export interface RegistryAuth {
  /** htpasswd file content (bcrypt entries): basic auth. */
  htpasswd?: string;
  /** Bearer token auth, as distribution's `auth.token` section. */
  token?: { realm: string; service: string; issuer: string; rootCertBundlePath: string; jwksPath?: string };
}

export interface RunningRegistry {
  readonly kind: RegistryKind;
  /** host:port, e.g. `127.0.0.1:40123`. */
  readonly host: string;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(kind: RegistryKind, options: { auth?: RegistryAuth } = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), `portcullis-${kind}-`));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let child: ChildProcess;
  if (kind === 'olareg') {
    mkdirSync(join(dir, 'blobs'), { recursive: true });
    child = spawn(toolPath('olareg'), ['serve', '--addr', '127.0.0.1', '--port', String(port), '--dir', join(dir, 'blobs'), '--api-delete', '--gc-frequency', '-1s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const lines = [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(dir, 'data'))}}, delete: {enabled: true}}`,
      `http: {addr: ${JSON.stringify(host)}, secret: portcullis-test}`,
    ];
    const auth = options.auth;
    if (auth?.htpasswd) {
      writeFileSync(join(dir, 'htpasswd'), auth.htpasswd);
      lines.push(`auth: {htpasswd: {realm: portcullis-test, path: ${JSON.stringify(join(dir, 'htpasswd'))}}}`);
    } else if (auth?.token) {
      const t = auth.token;
      lines.push(
        `auth: {token: {realm: ${JSON.stringify(t.realm)}, service: ${JSON.stringify(t.service)}, issuer: ${JSON.stringify(t.issuer)}, rootcertbundle: ${JSON.stringify(t.rootCertBundlePath)}${t.jwksPath ? `, jwks: ${JSON.stringify(t.jwksPath)}` : ''}}}`,
      );
    }
    writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
    child = spawn(toolPath('registry'), ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
    });
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} registry exited: ${stderr}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${kind} registry did not start: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    kind, host, url: `http://${host}`, dir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        // The timer is cleared so a stopped registry never keeps the test process alive.
        await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 3000); })]);
        clearTimeout(timer);
      }
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
