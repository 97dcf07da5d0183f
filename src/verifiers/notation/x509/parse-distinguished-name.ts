/**
 * Distinguished names for `x509.subject:` trusted identities, RFC 4514 string form:
 * https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints
 * A DN is a map attribute → value: multi-valued RDNs and repeated attributes are refused
 * (as notation-go does), `S` is an alias of `ST`.
 */
export type DistinguishedName = ReadonlyMap<string, string>;

export class DistinguishedNameError extends Error {}

const MAX_DN_LENGTH = 4096;

export function parseDistinguishedName(text: string): DistinguishedName {
  if (text.length === 0 || text.length > MAX_DN_LENGTH) throw new DistinguishedNameError('distinguished name is empty or too long');
  if (text.includes('=#')) throw new DistinguishedNameError('hex-encoded (#) attribute values are not supported');
  const out = new Map<string, string>();
  for (const rdn of splitUnescaped(text, [',', ';'])) {
    const parts = splitUnescaped(rdn, ['+']);
    if (parts.length > 1) throw new DistinguishedNameError(`multi-valued RDN "${rdn.trim()}" is not supported`);
    const attr = parts[0] ?? '';
    const eq = attr.indexOf('=');
    if (eq <= 0) throw new DistinguishedNameError(`RDN "${attr.trim()}" is not TYPE=value`);
    let type = attr.slice(0, eq).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(type)) throw new DistinguishedNameError(`attribute type "${type}" is invalid`);
    if (type === 'S') type = 'ST';
    const value = unescapeValue(attr.slice(eq + 1));
    if (out.has(type)) throw new DistinguishedNameError(`attribute ${type} appears more than once`);
    out.set(type, value);
  }
  return out;
}

/** Trust-policy identities must name at least C, ST and O (notation's rule). */
export function missingMandatoryAttributes(dn: DistinguishedName): string[] {
  return ['C', 'ST', 'O'].filter((k) => !dn.get(k));
}

/** Every attribute of `subset` appears in `dn` with the same value. */
export function isSubsetDn(subset: DistinguishedName, dn: DistinguishedName): boolean {
  for (const [k, v] of subset) if (dn.get(k) !== v) return false;
  return true;
}

function splitUnescaped(s: string, seps: string[]): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + (s[i + 1] as string);
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (!quoted && seps.includes(ch)) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (quoted) throw new DistinguishedNameError('unterminated quoted value');
  out.push(cur);
  return out;
}

function unescapeValue(raw: string): string {
  let s = raw.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = s.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\') {
      const next = s.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(next)) {
        bytes.push(parseInt(next, 16));
        i += 2;
        continue;
      }
      if (i + 1 >= s.length) throw new DistinguishedNameError('dangling escape');
      i++;
      bytes.push(...Buffer.from(s[i] as string, 'utf8'));
      continue;
    }
    bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
