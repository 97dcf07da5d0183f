/**
 * Reads the kustomize base in manifests/ without kustomize: the kustomization may only list
 * `resources` (files), which is all the base uses; anything else is refused so this reader can
 * never silently diverge from what `kubectl apply -k` would produce.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from './tools.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

export interface LoadedManifest {
  readonly file: string;
  readonly object: ManifestObject;
}

const ALLOWED_KEYS = new Set(['apiVersion', 'kind', 'resources']);

export function loadManifests(dir = join(PROJECT_ROOT, 'manifests')): LoadedManifest[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(kustomization)) {
    if (!ALLOWED_KEYS.has(key)) throw new Error(`kustomization.yaml: "${key}" is not supported by this reader`);
  }
  const resources = kustomization.resources;
  if (!Array.isArray(resources)) throw new Error('kustomization.yaml: resources must be a list');
  const out: LoadedManifest[] = [];
  for (const file of resources) {
    if (typeof file !== 'string' || !file.endsWith('.yaml') || file.includes('..')) {
      throw new Error(`kustomization.yaml: unsupported resource ${JSON.stringify(file)}`);
    }
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'YAML error'}`);
      const object = doc.toJS() as ManifestObject | null;
      if (object === null) continue;
      out.push({ file, object });
    }
  }
  return out;
}
