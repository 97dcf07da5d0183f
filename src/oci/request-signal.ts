/**
 * Which admission request a signal belongs to. Per-request budgets (bytes, connections) are
 * keyed by the request's own signal; a signal derived from it inside the client (e.g.
 * `AbortSignal.any` in the referrers lister) is linked back to it here so its fetches are
 * charged to the same request.
 */
const parents = new WeakMap<AbortSignal, AbortSignal>();

/** Records that `child` was derived from `parent` (same request). Returns `child`. */
export function linkRequestSignal(child: AbortSignal, parent: AbortSignal): AbortSignal {
  if (child !== parent) parents.set(child, requestRoot(parent));
  return child;
}

/** The request's own signal behind `signal` (itself when it was not derived). */
export function requestRoot(signal: AbortSignal): AbortSignal {
  return parents.get(signal) ?? signal;
}
