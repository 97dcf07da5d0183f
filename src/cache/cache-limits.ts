/**
 * Byte bounds of the in-process cache (config `cache.maxBytes`, `cache.maxEntryBytes`; issue
 * "hostile registries": the cache was bounded by entry count only and kept 4 MiB referrer
 * manifests for an hour). Sized for the shipped Deployment's 512 MiB limit: 64 MiB of cache
 * beside the per-request fetch budget and the baseline heap.
 */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** A bigger entry is not cached (fetched again when needed). Covers ordinary manifests and lists. */
export const DEFAULT_CACHE_MAX_ENTRY_BYTES = 1024 * 1024;
/** Bound on entry count too, so millions of tiny entries cannot pile up bookkeeping. */
export const DEFAULT_CACHE_MAX_ENTRIES = 100_000;
/**
 * Heap an entry costs beyond its value: the LRU's node and index slots, the key string, the
 * wrapper object. Measured values take 0.5–1.25× their JSON length on the heap (V8, Node 24).
 */
export const ENTRY_OVERHEAD_BYTES = 256;

/** The size charged for an entry: JSON length of the value, plus its key, plus the overhead. */
export function entrySize(key: string, valueJsonLength: number): number {
  return valueJsonLength + key.length + ENTRY_OVERHEAD_BYTES;
}
