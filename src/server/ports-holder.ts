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
}

export class PortsHolder {
  #current: Generation;
  readonly #logger: Logger;
  readonly #closing = new Set<Promise<void>>();

  constructor(initial: Ports, logger: Logger) {
    this.#current = { ports: initial, leases: 0, retired: false };
    this.#logger = logger;
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
    this.#current = { ports: next, leases: 0, retired: false };
    old.retired = true;
    this.#maybeClose(old);
  }

  /** Closes the current set after its leases end, and waits for every pending close. */
  async close(): Promise<void> {
    this.#current.retired = true;
    this.#maybeClose(this.#current);
    await this.#waitForDrain(this.#current);
    await Promise.all(this.#closing);
  }

  #maybeClose(gen: Generation): void {
    if (!gen.retired || gen.leases > 0 || gen.closed) return;
    const p = (async () => {
      try {
        await gen.ports.close?.();
      } catch (err) {
        this.#logger.error({ err }, 'closing replaced ports failed');
      }
    })();
    gen.closed = p;
    this.#closing.add(p);
    void p.finally(() => this.#closing.delete(p));
  }

  async #waitForDrain(gen: Generation): Promise<void> {
    while (!gen.closed) await new Promise((r) => setTimeout(r, 20));
    await gen.closed;
  }
}
