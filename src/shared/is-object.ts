/** A plain JSON object (not null, not an array): the guard every parser of hostile JSON needs. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
