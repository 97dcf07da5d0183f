import { describe, expect, it } from '@jest/globals';
import { compileLinearRegex } from '../../../../src/shared/regex/compile-linear-regex.js';

// `(a+)+$` on a run of `a` followed by a character that breaks the match is the textbook
// catastrophic-backtracking case: a backtracking engine (JavaScript's RegExp) tries every way to
// split the run, 2^n for n letters, and with n = 30 000 would never return. RE2 answers in one
// pass. The test asserts the answer, not the time: on a backtracking engine it would not end.
const RUN = 'a'.repeat(30_000);

describe('compileLinearRegex', () => {
  describe('on a pathological pattern and subject', () => {
    it('answers a full match without backtracking', () => {
      expect(compileLinearRegex('(a+)+').fullMatch(`${RUN}!`)).toBe(false);
      expect(compileLinearRegex('(a|aa)*b').fullMatch(RUN)).toBe(false);
      expect(compileLinearRegex('(a+)+').fullMatch(RUN)).toBe(true);
    });

    it('replaces without backtracking', () => {
      expect(compileLinearRegex('(a+)+$').replaceAll(`${RUN}!`, 'x')).toBe(`${RUN}!`);
      expect(compileLinearRegex('(a+)+!').replaceAll(`${RUN}!`, 'x')).toBe('x');
    });

    it('splits without backtracking', () => {
      expect(compileLinearRegex('(a+)+$').split(`${RUN}!`)).toEqual([`${RUN}!`]);
      expect(compileLinearRegex('(a+)+!').split(`b${RUN}!c`)).toEqual(['b', 'c']);
    });
  });

  describe('split (Go Regexp.Split(s, -1), https://pkg.go.dev/regexp#Regexp.Split)', () => {
    it('gives the examples of the Go documentation', () => {
      expect(compileLinearRegex('a').split('banana')).toEqual(['b', 'n', 'n', '']);
      expect(compileLinearRegex('z+').split('pizza')).toEqual(['pi', 'a']);
      // An empty match right after a match is dropped, as Go's FindAllStringIndex does.
      expect(compileLinearRegex('a*').split('abaabaccadaaae')).toEqual(['', 'b', 'b', 'c', 'c', 'd', 'e']);
    });

    it('leaves capture groups out (String.prototype.split would splice them in)', () => {
      expect(compileLinearRegex('(,)').split('a,b')).toEqual(['a', 'b']);
      expect(compileLinearRegex('[/:]').split('registry.example/team/app:1.0')).toEqual(['registry.example', 'team', 'app', '1.0']);
    });

    it('gives [""] for an empty subject and the subject when nothing matches', () => {
      expect(compileLinearRegex(',').split('')).toEqual(['']);
      expect(compileLinearRegex(',').split('abc')).toEqual(['abc']);
      expect(compileLinearRegex('').split('abc')).toEqual(['a', 'b', 'c']);
    });
  });

  describe('fullMatch', () => {
    it('needs the whole subject to match, whatever the alternation order', () => {
      expect(compileLinearRegex('a|ab').fullMatch('ab')).toBe(true);
      expect(compileLinearRegex('https://github\\.com/org/.*').fullMatch('https://github.com/org/app')).toBe(true);
      expect(compileLinearRegex('https://github\\.com/org').fullMatch('https://github.com/org/app')).toBe(false);
      expect(compileLinearRegex('.*@example\\.com').fullMatch('dev@example.com.evil.test')).toBe(false);
    });
  });

  describe('replaceAll expands the template as Go does', () => {
    it.each([
      ['numbered groups, bare and braced', 'registry/app:1.2', ':(\\d+)\\.(\\d+)$', ':${2}.$1', 'registry/app:2.1'],
      ['named groups', 'app:1.2', '(?P<major>\\d+)\\.(?P<minor>\\d+)', '${minor}.$major', 'app:2.1'],
      ['$$ as a literal dollar', 'cost 5', '(\\d+)', '$$$1', 'cost $5'],
      ['a bare name taking every word character after $', 'ab', '(a)', '$1x', 'b'],
      ['a group that does not exist as nothing', 'ab', 'a', '[$7${nope}]', '[]b'],
      ['every match, not only the first', 'a.b.c', '\\.', '/', 'a/b/c'],
    ])('%s', (_what, subject, pattern, template, want) => {
      expect(compileLinearRegex(pattern).replaceAll(subject, template)).toBe(want);
    });
  });

  describe('refuses what RE2 does not accept', () => {
    it.each([
      ['a syntax error', '('],
      ['a backreference', '(a)\\1'],
      ['a lookahead', 'a(?=b)'],
      ['a negative lookbehind', '(?<!a)b'],
    ])('%s, with INVALID_REGEX', (_what, pattern) => {
      expect(() => compileLinearRegex(pattern)).toThrow(expect.objectContaining({ code: 'INVALID_REGEX' }));
    });
  });
});
