/**
 * A deterministic POSIX tar writer for image layers: the caller's entries, sorted by path,
 * every header with the same mtime (SOURCE_DATE_EPOCH) and the owner/mode the caller gives, no
 * user or group names beyond what it passes, no atime/ctime. Same entries in → same bytes out.
 *
 * ustar headers; a path that does not fit ustar's name/prefix split (or a long symlink target)
 * gets a PAX extended header (`x`) first, as GNU and BSD tar, containerd and Go's archive/tar read.
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13
 */
import { ImageBuildError } from './image-build-error.js';

export type TarEntry =
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly content: Buffer }
  | { readonly type: 'dir'; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly type: 'symlink'; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly target: string };

const BLOCK = 512;

function octal(value: number, width: number): string {
  const s = value.toString(8);
  if (s.length > width - 1) throw new ImageBuildError('TAR_FIELD_OVERFLOW', `value ${value} does not fit a ${width}-byte tar field`);
  return s.padStart(width - 1, '0') + '\0';
}

/** Splits `path` into ustar prefix (≤155) and name (≤100) at a '/', or undefined. */
function ustarSplit(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { name, prefix };
  }
  return undefined;
}

function header(fields: { name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeflag: string; linkname: string }): Buffer {
  const h = Buffer.alloc(BLOCK);
  const put = (offset: number, width: number, value: string): void => {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > width) throw new ImageBuildError('TAR_FIELD_OVERFLOW', `"${value}" does not fit a ${width}-byte tar field`);
    bytes.copy(h, offset);
  };
  put(0, 100, fields.name);
  put(100, 8, octal(fields.mode, 8));
  put(108, 8, octal(fields.uid, 8));
  put(116, 8, octal(fields.gid, 8));
  put(124, 12, octal(fields.size, 12));
  put(136, 12, octal(fields.mtime, 12));
  put(148, 8, '        '); // checksum field counts as spaces while summing
  put(156, 1, fields.typeflag);
  put(157, 100, fields.linkname);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(329, 8, octal(0, 8)); // devmajor
  put(337, 8, octal(0, 8)); // devminor
  put(345, 155, fields.prefix);
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** One PAX record: "<len> <key>=<value>\n", where <len> counts the whole record itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((c) => c === '..' || c === '.' || c === '') || path.includes('\0')) {
    throw new ImageBuildError('TAR_BAD_PATH', `tar entry path "${path}" is not a clean relative path`);
  }
}

/** The archive: entries sorted by path (bytewise), two zero blocks at the end. */
export function writeTar(entries: readonly TarEntry[], mtime: number): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const chunks: Buffer[] = [];
  let previous: string | undefined;
  for (const e of sorted) {
    checkPath(e.path);
    if (e.path === previous) throw new ImageBuildError('TAR_DUPLICATE_PATH', `two tar entries for "${e.path}"`);
    previous = e.path;
    const path = e.type === 'dir' ? `${e.path}/` : e.path;
    const linkname = e.type === 'symlink' ? e.target : '';
    const size = e.type === 'file' ? e.content.length : 0;
    const split = ustarSplit(path);
    const pax: string[] = [];
    if (!split) pax.push(paxRecord('path', path));
    if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord('linkpath', linkname));
    if (pax.length > 0) {
      const body = Buffer.from(pax.join(''), 'utf8');
      const paxName = `PaxHeaders/${path.replace(/\/$/, '').split('/').pop()?.slice(0, 80) ?? 'entry'}`;
      chunks.push(header({ name: paxName, prefix: '', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime, typeflag: 'x', linkname: '' }), body, padding(body.length));
    }
    const name = split ?? { name: path.slice(0, 100), prefix: '' };
    const typeflag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
    chunks.push(header({ ...name, mode: e.mode, uid: e.uid, gid: e.gid, size, mtime, typeflag, linkname: Buffer.byteLength(linkname) > 100 ? '' : linkname }));
    if (e.type === 'file') chunks.push(e.content, padding(size));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
}
