const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges config `policy.data` over the bundle's data.json: objects merge key by key, anything
 * else (lists included) in `override` replaces what the bundle had. Returns a new object.
 */
export function mergeData(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeData(prev, v) : v;
  }
  return out;
}
