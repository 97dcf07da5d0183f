/**
 * AbortSignals carry no deadline, yet retries need one: a `Retry-After` that would pass the
 * caller's deadline should fail at once with a clear code rather than sleep until aborted.
 * Callers that know their deadline (the admission server does) register it with the signal.
 */
const deadlines = new WeakMap<AbortSignal, number>();

/** Records that `signal` aborts at `deadline` (epoch ms). Returns the signal. */
export function registerDeadline(signal: AbortSignal, deadline: number): AbortSignal {
  deadlines.set(signal, deadline);
  return signal;
}

/** A signal that aborts after `ms`, with its deadline registered. */
export function deadlineSignal(ms: number): AbortSignal {
  return registerDeadline(AbortSignal.timeout(ms), Date.now() + ms);
}

/** The registered deadline of `signal` (epoch ms), if any. */
export function deadlineOf(signal: AbortSignal): number | undefined {
  return deadlines.get(signal);
}
