/** Paths of the real tools built by scripts/install-tools.sh (linked into .tools/bin). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Test vectors published by other projects, read in place (never copied into the project). */
export const VECTORS = resolve(PROJECT_ROOT, '../shared/vectors');

export type ToolName = 'registry' | 'olareg' | 'oras' | 'notation' | 'cosign' | 'cosign3' | 'opa' | 'syft' | 'etcd' | 'kube-apiserver' | 'redis-server' | 'prometheus' | 'promtool' | 'qemu-aarch64-static' | 'helm';

export function toolPath(name: ToolName): string {
  const p = join(PROJECT_ROOT, '.tools/bin', name);
  if (!existsSync(p)) throw new Error(`${name} is not installed: run scripts/install-tools.sh ${name}`);
  return p;
}
