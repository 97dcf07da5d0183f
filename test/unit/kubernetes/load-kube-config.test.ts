import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadKubeConfig } from '../../../src/kubernetes/load-kube-config.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

describe('loadKubeConfig', () => {
  const dirs: string[] = [];
  const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'kc-')); dirs.push(d); return d; };
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('reads the file $KUBECONFIG names', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config'), KUBECONFIG);
    expect((await loadKubeConfig({ KUBECONFIG: join(dir, 'config'), HOME: dir }))?.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('falls back to ~/.kube/config', async () => {
    const home = tmp();
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), KUBECONFIG);
    expect((await loadKubeConfig({ HOME: home }))?.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('returns undefined when there is no kubeconfig and no in-cluster environment', async () => {
    expect(await loadKubeConfig({ HOME: tmp() })).toBeUndefined();
  });

  it('fails with a coded error on a kubeconfig that does not parse', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config'), 'clusters: [');
    await expect(loadKubeConfig({ KUBECONFIG: join(dir, 'config'), HOME: dir })).rejects.toThrow(expect.objectContaining({ code: 'API_ERROR' }));
  });
});
