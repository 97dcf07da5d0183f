/**
 * A TrustMaterialSource over a file or a folder of files (PEM or DER). Folders are read one
 * level deep; hidden entries (Kubernetes' `..data` machinery) and sub-folders are skipped,
 * symlinks to files are followed. Changes are reported through chokidar, debounced.
 */
import { statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import { TrustMaterialError } from './parse-certificates.js';
import type { TrustMaterial, TrustMaterialSource } from './types.js';

const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 1000;

export interface FileTrustMaterialSourceOptions {
  /** Debounce for change events, so an atomic symlink swap is one reload (default 100 ms). */
  readonly debounceMs?: number;
}

export function createFileTrustMaterialSource(path: string, options: FileTrustMaterialSourceOptions = {}): TrustMaterialSource {
  const abs = resolve(path);
  return {
    id: `file:${abs}`,
    load: (signal) => loadPath(abs, signal),
    watch(onChange) {
      let timer: NodeJS.Timeout | undefined;
      const fire = (): void => {
        clearTimeout(timer);
        timer = setTimeout(onChange, options.debounceMs ?? 100);
      };
      // A folder is watched one level deep, which catches Secret volume `..data` swaps inside it.
      // A single file is watched through its parent folder too: when it is a symlink into `..data`
      // (a ConfigMap or Secret key), the swap replaces the link target rather than the file.
      const targets = isFile(abs) ? [abs, dirname(abs)] : [abs];
      const watcher = chokidarWatch(targets, { ignoreInitial: true, depth: 1, followSymlinks: true });
      watcher.on('all', fire);
      // Changes between load() and the end of chokidar's initial scan count as initial and are not
      // reported; one check once the watcher is ready closes that window.
      watcher.on('ready', fire);
      watcher.on('error', () => undefined);
      return () => {
        clearTimeout(timer);
        void watcher.close();
      };
    },
  };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

async function loadPath(abs: string, signal?: AbortSignal): Promise<TrustMaterial[]> {
  let st;
  try {
    st = await stat(abs);
  } catch (cause) {
    throw new TrustMaterialError('READ_FAILED', `${abs}: cannot read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
  if (st.isFile()) return [await readOne(abs, signal)];
  if (!st.isDirectory()) throw new TrustMaterialError('READ_FAILED', `${abs}: not a file or folder`);
  const names = (await readdir(abs)).filter((n) => !n.startsWith('.')).sort();
  if (names.length > MAX_FILES) throw new TrustMaterialError('READ_FAILED', `${abs}: more than ${MAX_FILES} entries`);
  const out: TrustMaterial[] = [];
  for (const name of names) {
    signal?.throwIfAborted();
    const p = join(abs, name);
    const s = await stat(p).catch(() => undefined);
    if (s?.isFile()) out.push(await readOne(p, signal));
  }
  return out;
}

async function readOne(p: string, signal?: AbortSignal): Promise<TrustMaterial> {
  const s = await stat(p);
  if (s.size > MAX_FILE_BYTES) throw new TrustMaterialError('READ_FAILED', `${p}: larger than ${MAX_FILE_BYTES} bytes`);
  const bytes = await readFile(p, signal ? { signal } : {});
  return { origin: p, bytes };
}
