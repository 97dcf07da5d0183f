/**
 * The registry client's memory and connection budgets (issue 14, SPEC "Registry access"):
 * bytes of registry content held, and requests (so sockets) in flight, bounded per admission
 * request and per process. A config reload builds a new client while the old one drains its
 * requests: both take from one ProcessBudget (created once by the composition root), so a
 * reload never doubles the process bounds; the newest generation's config sets their size.
 *
 * A reservation is taken when a response's headers have arrived (its Content-Length, or the
 * body cap when none is declared) and held until the content's consumer releases it; whatever
 * a request still holds when its signal aborts — the admission server aborts it when it
 * answers — is released then, so a forgotten release cannot leak budget past the request.
 * Fetches wait for free bytes (FIFO) until `maxBytesWaitMs` or shortly before the deadline,
 * then fail with BUDGET_EXHAUSTED; one reservation larger than a whole budget fails at once
 * with BUDGET_EXCEEDED. The validation pipeline sees these as per-image fetch errors.
 */
import { deadlineOf } from './deadline.js';
import { createCountingSemaphore, type CountingSemaphore } from './counting-semaphore.js';
import { requestRoot } from './request-signal.js';

export interface RequestLimitOptions {
  /** Bytes of registry content held at once by the whole client. */
  readonly maxBytesInFlight: number;
  /** Bytes held at once by one admission request. */
  readonly maxBytesPerRequest: number;
  /** Longest a fetch waits for free bytes. */
  readonly maxBytesWaitMs: number;
  /** Outbound requests (sockets) in flight at once, all registries together. */
  readonly maxConnections: number;
  /** Outbound requests in flight at once for one admission request. */
  readonly maxConnectionsPerRequest: number;
}

/** Bytes reserved for one response body; `release` is idempotent. */
export interface ContentLease {
  readonly bytes: number;
  release(): void;
}

export interface RequestLimits {
  readonly options: RequestLimitOptions;
  reserveBytes(signal: AbortSignal, bytes: number, what: string): Promise<ContentLease>;
  /** A slot for one outbound request (one socket while it runs). */
  acquireConnection(signal: AbortSignal, what: string): Promise<() => void>;
  /** For tests, metrics and the benchmark. */
  stats(): { bytesHeld: number; bytesPeak: number; processBytesPeak: number; connectionsHeld: number; connectionsPeak: number; requestsTracked: number };
}

/** Defaults: sized for the shipped Deployment (512 MiB limit, 384 MiB old space); see docs/install.md "Resource bounds". */
export const DEFAULT_REQUEST_LIMITS: RequestLimitOptions = {
  maxBytesInFlight: 128 * 1024 * 1024,
  maxBytesPerRequest: 64 * 1024 * 1024,
  maxBytesWaitMs: 5_000,
  maxConnections: 256,
  maxConnectionsPerRequest: 64,
};

/** Wait for bytes ends this long before the deadline, so the error names the budget, not the clock. */
const DEADLINE_MARGIN_MS = 250;

/**
 * The per-process halves of the budgets, shared by every client (config generation) built on
 * it. `resize` applies a generation's `maxBytesInFlight` / `maxConnections`.
 */
export interface ProcessBudget {
  readonly bytes: CountingSemaphore;
  readonly connections: CountingSemaphore;
  /** Most bytes held at once by all clients on this budget together (`portcullis_registry_bytes_held_max`). */
  readonly bytesPeak: number;
  /** Called after bytes are taken, so the peak follows the sum over clients. */
  noteBytes(): void;
  resize(options: Pick<RequestLimitOptions, 'maxBytesInFlight' | 'maxConnections'>): void;
}

export function createProcessBudget(options: Pick<RequestLimitOptions, 'maxBytesInFlight' | 'maxConnections'> = DEFAULT_REQUEST_LIMITS): ProcessBudget {
  const bytes = createCountingSemaphore(options.maxBytesInFlight);
  const connections = createCountingSemaphore(options.maxConnections);
  let bytesPeak = 0;
  return {
    bytes,
    connections,
    get bytesPeak() { return bytesPeak; },
    noteBytes() { bytesPeak = Math.max(bytesPeak, bytes.held); },
    resize(next) {
      bytes.setLimit(next.maxBytesInFlight);
      connections.setLimit(next.maxConnections);
    },
  };
}

interface RequestState {
  readonly bytes: CountingSemaphore;
  readonly connections: CountingSemaphore;
  /** Releases of what this request still holds. */
  readonly held: Set<() => void>;
}

/**
 * Budgets for one client. With `budget` (the server: one per process) the per-process bounds
 * are shared with every other client on it and resized to these options; without, the client
 * has its own (the CLI, tests).
 */
export function createRequestLimits(partial: Partial<RequestLimitOptions> = {}, budget?: ProcessBudget): RequestLimits {
  const options: RequestLimitOptions = { ...DEFAULT_REQUEST_LIMITS, ...partial };
  const shared = budget ?? createProcessBudget(options);
  if (budget) budget.resize(options);
  const processBytes = shared.bytes;
  const processConnections = shared.connections;
  // What this client holds of the shared bounds: the metrics sum clients (a reload has two).
  let bytesHeld = 0;
  let connectionsHeld = 0;
  const states = new WeakMap<AbortSignal, RequestState>();
  let tracked = 0;
  let bytesPeak = 0;
  let connectionsPeak = 0;
  const countBytes = (d: number) => { bytesHeld += d; bytesPeak = Math.max(bytesPeak, bytesHeld); if (d > 0) shared.noteBytes(); };
  const countConnections = (d: number) => { connectionsHeld += d; connectionsPeak = Math.max(connectionsPeak, connectionsHeld); };
  // A request whose signal never aborts (the CLI) and is dropped still gives its units back.
  const finalizer = new FinalizationRegistry<Set<() => void>>((held) => { for (const r of [...held]) r(); });

  function stateOf(signal: AbortSignal): RequestState {
    const root = requestRoot(signal);
    let state = states.get(root);
    if (!state) {
      const s: RequestState = {
        bytes: createCountingSemaphore(options.maxBytesPerRequest),
        connections: createCountingSemaphore(options.maxConnectionsPerRequest),
        held: new Set(),
      };
      state = s;
      states.set(root, s);
      tracked++;
      finalizer.register(root, s.held);
      const end = () => { tracked--; for (const r of [...s.held]) r(); };
      if (root.aborted) queueMicrotask(end);
      else root.addEventListener('abort', end, { once: true });
    }
    return state;
  }

  /** Takes `n` units from the request's semaphore, then the process's; one idempotent release for both. */
  async function take(state: RequestState, mine: CountingSemaphore, shared: CountingSemaphore, n: number, signal: AbortSignal, waitUntil: number | undefined, names: [string, string], count: (delta: number) => void): Promise<() => void> {
    const releaseMine = await mine.acquire(n, { signal, waitUntil, what: names[0] });
    let releaseShared: () => void;
    try {
      releaseShared = await shared.acquire(n, { signal, waitUntil, what: names[1] });
    } catch (err) {
      releaseMine();
      throw err;
    }
    const release = () => {
      if (!state.held.delete(release)) return;
      releaseShared();
      releaseMine();
      count(-n);
    };
    state.held.add(release);
    count(n);
    // Granted after the request ended: give it back at once.
    if (requestRoot(signal).aborted) release();
    return release;
  }

  return {
    options,
    async reserveBytes(signal, bytes, what) {
      const n = Math.max(0, Math.ceil(bytes));
      if (n === 0) return { bytes: 0, release: () => undefined };
      const deadline = deadlineOf(signal) ?? deadlineOf(requestRoot(signal));
      const byWait = Date.now() + options.maxBytesWaitMs;
      const waitUntil = deadline === undefined ? byWait : Math.min(byWait, Math.max(Date.now(), deadline - DEADLINE_MARGIN_MS));
      const release = await take(stateOf(signal), stateOf(signal).bytes, processBytes, n, signal, waitUntil,
        [`${what}: registries.maxBytesPerRequest`, `${what}: registries.maxBytesInFlight`], countBytes);
      return { bytes: n, release };
    },
    async acquireConnection(signal, what) {
      const state = stateOf(signal);
      return take(state, state.connections, processConnections, 1, signal, undefined,
        [`${what}: registries.maxConnectionsPerRequest`, `${what}: registries.maxConnections`], countConnections);
    },
    stats: () => ({ bytesHeld, bytesPeak, processBytesPeak: shared.bytesPeak, connectionsHeld, connectionsPeak, requestsTracked: tracked }),
  };
}
