/** The OCI runtime spec the image e2e runs Portcullis under: what a restricted Pod would get. */
import { describe, expect, it } from '@jest/globals';
import { CMD, ENTRYPOINT, ENV, IMAGE_USER } from '../../../scripts/image/image-config.js';
import { runtimeSpec } from '../../helpers/oci-runtime.js';

const image = { User: `${IMAGE_USER.uid}:${IMAGE_USER.gid}`, Env: [...ENV], Entrypoint: [...ENTRYPOINT], Cmd: [...CMD], WorkingDir: '/app' };
interface Spec {
  process: { user: { uid: number; gid: number }; args: string[]; env: string[]; cwd: string; noNewPrivileges: boolean; capabilities: Record<string, string[]> };
  root: { readonly: boolean };
  mounts: { destination: string; type: string; options: string[] }[];
  linux: { namespaces: { type: string }[] };
}

describe('runtimeSpec', () => {
  const spec = runtimeSpec(image, { hostsFile: '/x/hosts', mounts: [{ source: '/h/config', destination: '/etc/portcullis/config' }], env: { A: 'b' } }) as unknown as Spec;

  it('runs the image\'s entry point and command as its non-root user, without capabilities or new privileges', () => {
    expect(spec.process.user).toMatchObject({ uid: 65532, gid: 65532 });
    expect(spec.process.args).toEqual([...ENTRYPOINT, ...CMD]);
    expect(spec.process.env).toEqual([...ENV, 'HOME=/home/nonroot', 'A=b']);
    expect(spec.process.cwd).toBe('/app');
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(Object.values(spec.process.capabilities).flat()).toEqual([]);
  });

  it('makes the root read-only, /tmp a tmpfs, and the given volumes read-only bind mounts', () => {
    expect(spec.root.readonly).toBe(true);
    expect(spec.mounts.find((m) => m.destination === '/tmp')?.type).toBe('tmpfs');
    expect(spec.mounts.find((m) => m.destination === '/etc/portcullis/config')).toMatchObject({ type: 'bind', options: expect.arrayContaining(['ro']) });
  });

  it('shares the host network namespace (loopback) and nothing else', () => {
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(['ipc', 'mount', 'pid', 'uts']);
  });

  it('refuses an image whose user is not numeric', () => {
    expect(() => runtimeSpec({ ...image, User: 'nonroot' }, { hostsFile: '/x' })).toThrow(/not numeric/);
  });
});
