import { isIP } from 'node:net';

/**
 * One spelling per subjectAltName, so the names a certificate carries compare equal to the
 * names the config asks for: DNS names lower-cased, IPv6 addresses fully expanded
 * (`::1` and OpenSSL's `0:0:0:0:0:0:0:1` are one address).
 */
export function canonicalName(name: string): string {
  if (isIP(name) !== 6) return name.toLowerCase();
  const [head = '', tail] = name.toLowerCase().split('::');
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const left = head === '' ? [] : head.split(':').flatMap(expand4);
  const right = tail === undefined || tail === '' ? [] : tail.split(':').flatMap(expand4);
  const full = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return full.map((g) => parseInt(g, 16).toString(16)).join(':');
}

function expand4(g: string): string[] {
  return g.includes('.') ? ipv4Groups(g) : [g];
}

function ipv4Groups(v4: string): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
