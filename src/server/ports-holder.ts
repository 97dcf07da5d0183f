/**
 * Holds the current Ports and swaps them atomically (config change). Each request leases
 * the ports it started with; a replaced set is closed only after its last lease ends, so
 * in-flight requests never see their ports closed under them.
 */
import type { Logger } from 'pino';
import type { Ports } from './runtime-ports.js';

export interface PortsLease {
  readonly ports: Ports;
  release(): void;
}

interface Generation {
  readonly ports: Ports;
  leases: number;
  retired: boolean;
  closed?: Promise<void>;
  forceTimer?: NodeJS.Timeout;
  /** Settles once `closed` is set, so `close()` can wait for a set still draining. */
  readonly started: Promise<void>;
  readonly start: () => void;
}

function generation(ports: Ports): Generation {
  let start!: () => void;
  const started = new Promise<void>((r) => { start = r; });
  return { ports, leases: 0, retired: false, started, start };
}

/**
 * How long a retired set waits for its last lease. Requests end at their deadline (≤ 30 s)
 * even when a port hangs; a lease still held after this is a port that ignores its signal,
 * and the set is closed anyway.
 */
const DEFAULT_DRAIN_MS = 35_000;

export class PortsHolder {
  #current: Generation;
  readonly #logger: Logger;
  readonly #closing = new Set<Promise<void>>();

  readonly #drainMs: number;

  constructor(initial: Ports, logger: Logger, options: { drainMs?: number } = {}) {
    this.#current = generation(initial);
    this.#logger = logger;
    this.#drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  }

  current(): Ports {
    return this.#current.ports;
  }

  acquire(): PortsLease {
    const gen = this.#current;
    gen.leases++;
    let released = false;
    return {
      ports: gen.ports,
      release: () => {
        if (released) return;
        released = true;
        gen.leases--;
        this.#maybeClose(gen);
      },
    };
  }

  /** New requests get `next` from now on; the old set closes when drained. */
  swap(next: Ports): void {
    const old = this.#current;
    this.#current = generation(next);
    old.retired = true;
    this.#maybeClose(old);
  }

  /** Closes the current set after its leases end (or `graceMs`), and waits for every pending close. */
  async close(graceMs: number = this.#drainMs): Promise<void> {
    const gen = this.#current;
    gen.retired = true;
    clearTimeout(gen.forceTimer);
    gen.forceTimer = undefined;
    this.#maybeClose(gen, graceMs);
    await gen.started;
    await Promise.all([gen.closed, ...this.#closing]);
  }

  #maybeClose(gen: Generation, drainMs: number = this.#drainMs): void {
    if (!gen.retired || gen.closed) return;
    if (gen.leases > 0) {
      if (!gen.forceTimer) {
        gen.forceTimer = setTimeout(() => {
          this.#logger.warn({ leases: gen.leases }, 'ports still in use after the drain period; closing them anyway');
          gen.leases = 0;
          this.#maybeClose(gen);
        }, drainMs);
        gen.forceTimer.unref();
      }
      return;
    }
    clearTimeout(gen.forceTimer);
    const p = (async () => {
      try {
        await gen.ports.close?.();
      } catch (err) {
        this.#logger.error({ err }, 'closing replaced ports failed');
      }
    })();
    gen.closed = p;
    gen.start();
    this.#closing.add(p);
    void p.finally(() => this.#closing.delete(p));
  }
}
