/**
 * The message of anything thrown: an Error's message, a thrown string, or an object with a
 * `message` (opa-wasm and some SDKs throw such objects); anything else stringified.
 */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}
