import { describe, expect, it } from '@jest/globals';
import { runStage } from '../../../src/validation/run-stage.js';

describe('runStage', () => {
  it('returns the value of a stage that finishes', async () => {
    await expect(runStage('resolve', new AbortController().signal, '', async () => 7)).resolves.toEqual({ ok: true, value: 7 });
  });

  it('names the stage and keeps the cause when it fails', async () => {
    const err = Object.assign(new Error('boom'), { code: 'X' });
    const r = await runStage('fetch', new AbortController().signal, 'ref', async () => { throw err; });
    expect(r).toEqual({ ok: false, error: { stage: 'fetch', message: 'ref: boom' }, cause: err });
  });

  it('returns at the deadline even when the stage ignores its signal', async () => {
    const c = new AbortController();
    const p = runStage('referrers', c.signal, '', () => new Promise<never>(() => undefined));
    setTimeout(() => c.abort(), 20);
    await expect(p).resolves.toEqual({ ok: false, error: { stage: 'referrers', message: 'deadline exceeded before referrers could finish' } });
  });

  it('names the registry that did not answer in time, for a registry stage', async () => {
    const c = new AbortController();
    const p = runStage('referrers', c.signal, 'r.io/app@sha256:1', () => new Promise<never>(() => undefined), 'r.io');
    setTimeout(() => c.abort(), 20);
    await expect(p).resolves.toEqual({
      ok: false, error: { stage: 'referrers', message: 'r.io/app@sha256:1: registry r.io did not answer in time (deadline exceeded before referrers could finish)' },
    });
  });

  it('names the registry in a failure that does not already', async () => {
    const r = await runStage('resolve', new AbortController().signal, '', async () => { throw new Error('connect ECONNREFUSED'); }, 'r.io');
    expect(r.ok || r.error.message).toBe('registry r.io: connect ECONNREFUSED');
    const named = await runStage('resolve', new AbortController().signal, '', async () => { throw new Error('r.io/app:1: 500'); }, 'r.io');
    expect(named.ok || named.error.message).toBe('r.io/app:1: 500');
  });

  it('does not start a stage after the deadline', async () => {
    let started = false;
    const r = await runStage('verify', AbortSignal.abort(), 'x', async () => { started = true; });
    expect(started).toBe(false);
    expect(r.ok).toBe(false);
  });
});
