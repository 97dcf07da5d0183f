/**
 * Regular-expression engines on pathological input (issue 14 item 4; a benchmark, not a test).
 *
 * Prints, for catastrophic-backtracking patterns, the time one full match takes on
 *   - JavaScript's RegExp (backtracking; only small n, since time doubles with each letter),
 *   - re2js, the pure-JavaScript RE2 port Portcullis uses (src/shared/regex),
 *   - the native `re2` binding, when `--re2 DIR` names an installed copy of it (it is not a
 *     dependency: docs/dependencies.md says why), e.g. `--re2 /tmp/re2try/node_modules/re2`.
 *
 *   node_modules/.bin/node --import ./bench/ts-hooks.mjs bench/regex-engines.ts [--re2 DIR]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { compileLinearRegex } from '../src/shared/regex/compile-linear-regex.js';

interface Engine { readonly name: string; fullMatch(pattern: string, subject: string): boolean }

const { values } = parseArgs({ options: { re2: { type: 'string' } } });

const engines: Engine[] = [
  { name: 'RegExp', fullMatch: (p, s) => new RegExp(`^(?:${p})$`, 'u').test(s) },
  { name: 're2js', fullMatch: (p, s) => compileLinearRegex(p).fullMatch(s) },
];
if (values.re2) {
  const RE2 = createRequire(import.meta.url)(values.re2) as new (p: string, f: string) => { test(s: string): boolean };
  engines.push({ name: 're2 (native)', fullMatch: (p, s) => new RE2(`^(?:${p})$`, 'u').test(s) });
}

const cases = [
  { pattern: '(a+)+', subject: (n: number) => `${'a'.repeat(n)}!` },
  { pattern: '(a|aa)*b', subject: (n: number) => 'a'.repeat(n) },
  { pattern: '(.*a){12}', subject: (n: number) => 'a'.repeat(n) + 'b' },
];
const sizes = [20, 24, 26, 10_000, 1_000_000];
// Backtracking time grows as 2^n: past this many letters RegExp would not return.
const REGEXP_MAX = 26;

function time(fn: () => boolean): { ms: number; result: boolean } {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

console.log('| pattern | n | ' + engines.map((e) => e.name).join(' ms | ') + ' ms |');
console.log('|---|---|' + engines.map(() => '---|').join(''));
for (const c of cases) {
  for (const n of sizes) {
    const subject = c.subject(n);
    const cells = engines.map((e) => {
      if (e.name === 'RegExp' && n > REGEXP_MAX) return 'not run (2^n)';
      const { ms, result } = time(() => e.fullMatch(c.pattern, subject));
      return `${ms.toFixed(1)} (${result})`;
    });
    console.log(`| \`${c.pattern}\` | ${n} | ${cells.join(' | ')} |`);
  }
}
