import { describe, expect, it, jest } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, main } from '../../../src/cli/main.js';

function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  return fn().finally(() => {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  });
}

describe('portcullis (cli main)', () => {
  it('registers every subcommand', () => {
    expect(buildProgram().commands.map((c) => c.name())).toEqual(['serve', 'verify', 'resolve', 'policy', 'certs', 'audit']);
  });

  it('returns the exit code a subcommand set and leaves process.exitCode as it was', async () => {
    const before = process.exitCode;
    // `verify` with an unreadable config is an error: exit 2.
    expect(await quiet(() => main(['verify', 'nginx:1.27', '--config', '/nonexistent/portcullis.yaml']))).toBe(2);
    expect(process.exitCode).toBe(before);
  });

  it('exits 0 for --help and 2 for an unknown command or option', async () => {
    expect(await quiet(() => main(['--help']))).toBe(0);
    expect(await quiet(() => main(['frobnicate']))).toBe(2);
    expect(await quiet(() => main(['certs', 'generate', '--bogus']))).toBe(2);
    expect(await quiet(() => main(['certs', 'generate']))).toBe(2); // --out is required
  });

  describe('certs generate', () => {
    it('writes a CA, a serving and a client certificate with their keys', async () => {
      const dir = join(await mkdtemp(join(tmpdir(), 'portcullis-cli-')), 'certs');
      expect(await quiet(() => main(['certs', 'generate', '--out', dir, '--dns', 'portcullis.portcullis.svc', '--dns', 'webhook.local']))).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['ca.crt', 'ca.key', 'client.crt', 'client.key', 'tls.crt', 'tls.key']);
      const cert = new X509Certificate(await readFile(join(dir, 'tls.crt')));
      expect(cert.subjectAltName).toContain('DNS:portcullis.portcullis.svc, DNS:webhook.local, DNS:localhost');
      expect((await stat(join(dir, 'client.key'))).mode & 0o777).toBe(0o600);
    });

    it('exits 2 on an invalid --days', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
      expect(await quiet(() => main(['certs', 'generate', '--out', dir, '--days', 'ten']))).toBe(2);
    });
  });
});
