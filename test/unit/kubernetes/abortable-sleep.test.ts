import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { abortableSleep } from '../../../src/kubernetes/abortable-sleep.js';

describe('abortableSleep', () => {
  describe('when the timer fires before the signal aborts', () => {
    it('leaves no abort listener behind on the long-lived signal', async () => {
      const stop = new AbortController();
      for (let i = 0; i < 20; i++) await abortableSleep(1, stop.signal);
      expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    });
  });

  describe('when the signal aborts', () => {
    it('resolves early instead of rejecting', async () => {
      const stop = new AbortController();
      const slept = abortableSleep(60_000, stop.signal);
      stop.abort();
      await expect(slept).resolves.toBeUndefined();
    });

    it('resolves at once on an already aborted signal', async () => {
      await expect(abortableSleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
    });
  });
});
