import type { ImageLocation } from './find-images.js';
import type { JsonPatchReplace } from './types.js';

/**
 * One RFC 6902 `replace` per image path whose image changes (SPEC "Mutation"). Images
 * without a new value, or whose new value equals the old, produce no op — so a second
 * invocation on the patched object produces none.
 */
export function buildPatch(locations: readonly ImageLocation[], replacements: ReadonlyMap<string, string>): JsonPatchReplace[] {
  const ops: JsonPatchReplace[] = [];
  for (const l of locations) {
    const next = replacements.get(l.image);
    if (next !== undefined && next !== l.image) ops.push({ op: 'replace', path: l.path, value: next });
  }
  return ops;
}

/** The response `patch` field: base64 of the JSON document. */
export function encodePatch(ops: readonly JsonPatchReplace[]): string {
  return Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
}
