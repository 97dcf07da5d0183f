/** A bcrypt htpasswd line from the real `htpasswd` (apache2-utils), for distribution's basic auth. */
import { execFileSync } from 'node:child_process';

export function htpasswd(username: string, password: string): string {
  return execFileSync('htpasswd', ['-nbB', username, password], { encoding: 'utf8' }).trim() + '\n';
}
