import { describe, expect, it } from '@jest/globals';
import { parseTimeout, verdictBudget, workBudget } from '../../../src/server/deadline.js';

describe('parseTimeout', () => {
  it.each([
    ['10s', 10_000], ['1s', 1000], ['2.5s', 2500], ['500ms', 500], ['30s', 30_000], ['45s', 30_000], ['1m', 30_000],
  ])('reads %s as %d ms (capped at 30 s)', (v, ms) => {
    expect(parseTimeout(v, 10)).toBe(ms);
  });
  it.each([[undefined], [''], ['abc'], ['-1s'], ['0s'], [['1s', '2s']]])('falls back to the default for %p', (v) => {
    expect(parseTimeout(v, 7)).toBe(7000);
  });
});

describe('workBudget', () => {
  it('subtracts the buffer, keeping a little time when the timeout is tiny', () => {
    expect(workBudget(10_000, 200)).toBe(9800);
    expect(workBudget(100, 200)).toBe(20);
  });
});

describe('verdictBudget', () => {
  it('keeps a tenth of the budget for the answer, between 200 ms and 1 s, at most half', () => {
    expect(verdictBudget(9800)).toBe(8820);
    expect(verdictBudget(1800)).toBe(1600);
    expect(verdictBudget(29_800)).toBe(28_800);
    expect(verdictBudget(20)).toBe(10);
  });
});
