import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of a JSON-like value with object keys sorted, so equal configurations hash
 * equally whatever their key order. Sets are hashed as sorted arrays. Iterative, not recursive.
 */
export function stableHash(value: unknown): string {
  const hash = createHash('sha256');
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Set) {
      stack.push([...(v as Set<unknown>)].map(String).sort());
    } else if (Array.isArray(v)) {
      hash.update(`[${v.length}`);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
      hash.update(`{${keys.length}`);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i] as string]);
        stack.push(`key:${keys[i] as string}`);
      }
    } else {
      hash.update(`${typeof v}:${JSON.stringify(v) ?? 'undefined'};`);
    }
  }
  return hash.digest('hex');
}
