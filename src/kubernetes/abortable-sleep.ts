import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms`, or less if `signal` aborts; never rejects. Built on the timers/promises
 * `setTimeout`, which removes its 'abort' listener when the timer fires, so a long-lived
 * signal (a watch's stop signal) does not gather one listener per backoff.
 */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if ((err as { name?: string }).name !== 'AbortError') throw err;
  }
}
