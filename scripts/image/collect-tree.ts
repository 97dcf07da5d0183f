/**
 * Turns files on disk into tar entries with everything the host adds normalised away: owner
 * root:root, mode 0755 for directories and for files with any execute bit, 0644 for the
 * rest, hard links as plain files. Only the bytes, the names, the symlink targets and "is it
 * executable" reach the layer, so a checkout's umask, owner or timestamps never change a digest.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError } from './image-build-error.js';
import type { TarEntry } from './tar-writer.js';

export const ROOT = { uid: 0, gid: 0 } as const;

/** Entries for `source` (a file, symlink or folder, recursively) at `target` inside the image ('' = its root); `keep` filters by path relative to `source`. */
export function collectTree(source: string, target: string, keep: (relative: string) => boolean = () => true): TarEntry[] {
  const out: TarEntry[] = [];
  const visit = (abs: string, rel: string, path: string): void => {
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) {
      if (keep(rel)) out.push({ type: 'symlink', path, target: readlinkSync(abs), mode: 0o777, ...ROOT });
    } else if (st.isDirectory()) {
      if (rel !== '' && keep(rel)) out.push({ type: 'dir', path, mode: 0o755, ...ROOT });
      for (const name of readdirSync(abs).sort()) visit(join(abs, name), rel === '' ? name : `${rel}/${name}`, path === '' ? name : `${path}/${name}`);
    } else if (st.isFile()) {
      if (keep(rel)) out.push({ type: 'file', path, content: readFileSync(abs), mode: st.mode & 0o111 ? 0o755 : 0o644, ...ROOT });
    } else {
      throw new ImageBuildError('UNSUPPORTED_FILE', `${abs}: only files, folders and symlinks go into the image`);
    }
  };
  const st = lstatSync(source);
  if (st.isDirectory() && target !== '') out.push({ type: 'dir', path: target, mode: 0o755, ...ROOT });
  visit(source, '', target);
  return out;
}

/** Adds a root-owned 0755 folder entry for every parent of every entry that has none. */
export function withParents(entries: readonly TarEntry[]): TarEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const out = [...entries];
  for (const e of entries) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const dir = parts.slice(0, i).join('/');
      if (!have.has(dir)) { have.add(dir); out.push({ type: 'dir', path: dir, mode: 0o755, ...ROOT }); }
    }
  }
  return out;
}
