/**
 * The real `helm` (v4, built by scripts/install-tools.sh helm) on charts/portcullis: lint,
 * template and install with values given as an object (written to a temporary values file,
 * JSON being YAML). Rendered output is parsed into objects.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from './load-manifests.js';
import { PROJECT_ROOT, toolPath } from './tools.js';

export const CHART_DIR = join(PROJECT_ROOT, 'charts/portcullis');
/** The release the docs install: its objects are named as in the kustomize base. */
export const RELEASE = { name: 'portcullis', namespace: 'portcullis-system' } as const;

export interface HelmRun { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs helm with `values` (if any) as a values file; never throws on a non-zero exit. */
export async function helm(args: readonly string[], values?: Record<string, unknown>): Promise<HelmRun> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-helm-'));
  try {
    const valueArgs: string[] = [];
    if (values !== undefined) {
      const file = join(dir, 'values.yaml');
      writeFileSync(file, JSON.stringify(values));
      valueArgs.push('-f', file);
    }
    // helm keeps caches and its repository config under HOME-derived paths: keep them per run.
    const env = { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
    return await new Promise((resolve) => {
      execFile(toolPath('helm'), [...args, ...valueArgs], { env, timeout: 120_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart as the release {@link RELEASE}; throws with helm's message on failure. */
export async function helmTemplate(values: Record<string, unknown> = {}, extraArgs: readonly string[] = []): Promise<ManifestObject[]> {
  const run = await helm(['template', RELEASE.name, CHART_DIR, '--namespace', RELEASE.namespace, ...extraArgs], values);
  if (run.code !== 0) throw new Error(`helm template failed (${run.code}): ${run.stderr.trim()}`);
  return parseObjects(run.stdout);
}

export function parseObjects(text: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`helm output: ${doc.errors[0]?.message ?? 'YAML error'}`);
    const object = doc.toJS() as ManifestObject | null;
    if (object !== null) out.push(object);
  }
  return out;
}

/** The one object of `kind` (and `name`, when several share the kind); throws if absent. */
export function findObject<T = ManifestObject>(objects: readonly ManifestObject[], kind: string, name?: string): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as T;
}
