/**
 * Deprecated SPDX identifiers of the GNU family and their current equivalents
 * (SPDX License List 3.0 renamed `GPL-2.0` to `GPL-2.0-only` and `GPL-2.0+` to
 * `GPL-2.0-or-later`; both spellings still occur in real SBOMs).
 */
const GNU_FAMILY = /^((?:A|L)?GPL|GFDL)-(\d+\.\d+)(\+)?$/i;

/**
 * The names a license identifier is known by, lower-cased (SPDX identifiers match
 * case-insensitively, SPDX 2.3 Annex D.2): the identifier itself plus, for deprecated GNU
 * identifiers, the current one (`GPL-2.0` → `gpl-2.0-only`, `GPL-2.0+` → `gpl-2.0-or-later`)
 * and the other way round.
 */
export function licenseNames(id: string): string[] {
  const lower = id.toLowerCase();
  const gnu = GNU_FAMILY.exec(id);
  if (gnu) return [lower, `${gnu[1]}-${gnu[2]}-${gnu[3] ? 'or-later' : 'only'}`.toLowerCase()];
  const current = /^((?:a|l)?gpl|gfdl)-(\d+\.\d+)-(only|or-later)$/.exec(lower);
  if (current) return [lower, `${current[1]}-${current[2]}${current[3] === 'or-later' ? '+' : ''}`];
  return [lower];
}
