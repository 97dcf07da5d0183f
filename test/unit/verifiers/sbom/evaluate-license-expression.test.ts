import { describe, expect, it } from '@jest/globals';
import { evaluateLicenseExpression, MAX_EXPRESSION_CHARS } from '../../../../src/verifiers/sbom/license-expression/evaluate-license-expression.js';
import { licenseNames } from '../../../../src/verifiers/sbom/license-expression/license-names.js';

const deny = (...ids: string[]): Set<string> => new Set(ids.flatMap((id) => licenseNames(id)));

describe('evaluateLicenseExpression', () => {
  describe('with a single license', () => {
    it('disallows a listed license, case-insensitively', () => {
      expect(evaluateLicenseExpression('gpl-3.0-only', deny('GPL-3.0-only'))).toEqual({ allowed: false, disallowed: ['gpl-3.0-only'], parsed: true });
    });
    it('allows a license that is not listed', () => {
      expect(evaluateLicenseExpression('MIT', deny('GPL-3.0-only'))).toEqual({ allowed: true, disallowed: [], parsed: true });
    });
    it('treats the deprecated GNU identifiers as their current names', () => {
      expect(evaluateLicenseExpression('GPL-2.0', deny('GPL-2.0-only')).allowed).toBe(false);
      expect(evaluateLicenseExpression('GPL-2.0+', deny('GPL-2.0-or-later')).allowed).toBe(false);
      expect(evaluateLicenseExpression('GPL-2.0-only', deny('GPL-2.0')).allowed).toBe(false);
    });
    it('keeps -only and -or-later apart', () => {
      expect(evaluateLicenseExpression('GPL-2.0-or-later', deny('GPL-2.0-only')).allowed).toBe(true);
    });
    it('matches LicenseRef and DocumentRef identifiers', () => {
      expect(evaluateLicenseExpression('DocumentRef-x:LicenseRef-Proprietary', deny('DocumentRef-x:LicenseRef-Proprietary')).allowed).toBe(false);
      expect(evaluateLicenseExpression('LicenseRef-AND', deny('MIT')).allowed).toBe(true);
    });
  });

  describe('with OR', () => {
    it('is allowed when either choice is clean', () => {
      expect(evaluateLicenseExpression('GPL-3.0-only OR MIT', deny('GPL-3.0-only'))).toEqual({ allowed: true, disallowed: [], parsed: true });
    });
    it('is disallowed when every choice is disallowed, naming them all', () => {
      expect(evaluateLicenseExpression('GPL-3.0-only OR AGPL-3.0-only', deny('GPL-3.0-only', 'AGPL-3.0-only'))).toEqual({
        allowed: false, disallowed: ['GPL-3.0-only', 'AGPL-3.0-only'], parsed: true,
      });
    });
  });

  describe('with AND', () => {
    it('is disallowed when any part is disallowed', () => {
      expect(evaluateLicenseExpression('MIT AND GPL-3.0-only', deny('GPL-3.0-only'))).toEqual({ allowed: false, disallowed: ['GPL-3.0-only'], parsed: true });
    });
  });

  describe('with precedence and parentheses', () => {
    it('binds AND tighter than OR', () => {
      // MIT OR (Apache-2.0 AND GPL-3.0-only): the MIT choice is clean.
      expect(evaluateLicenseExpression('MIT OR Apache-2.0 AND GPL-3.0-only', deny('GPL-3.0-only')).allowed).toBe(true);
      // (MIT OR Apache-2.0) AND GPL-3.0-only: every choice carries GPL.
      expect(evaluateLicenseExpression('(MIT OR Apache-2.0) AND GPL-3.0-only', deny('GPL-3.0-only')).allowed).toBe(false);
    });
    it('handles nested parentheses', () => {
      expect(evaluateLicenseExpression('((GPL-3.0-only OR (MIT)) AND (BSD-3-Clause OR GPL-2.0-only))', deny('GPL-3.0-only', 'GPL-2.0-only')).allowed).toBe(true);
      expect(evaluateLicenseExpression('((GPL-3.0-only OR (ISC)) AND (GPL-2.0-only))', deny('GPL-3.0-only', 'GPL-2.0-only')).allowed).toBe(false);
    });
    it('accepts lower-case operators', () => {
      expect(evaluateLicenseExpression('GPL-3.0-only or MIT', deny('GPL-3.0-only'))).toEqual({ allowed: true, disallowed: [], parsed: true });
    });
  });

  describe('with WITH', () => {
    it('is disallowed when the license itself is', () => {
      expect(evaluateLicenseExpression('GPL-2.0-only WITH Classpath-exception-2.0', deny('GPL-2.0-only'))).toEqual({
        allowed: false, disallowed: ['GPL-2.0-only WITH Classpath-exception-2.0'], parsed: true,
      });
    });
    it('is disallowed when the exact combination is listed, and only then', () => {
      const list = new Set(['gpl-2.0-only with classpath-exception-2.0']);
      expect(evaluateLicenseExpression('GPL-2.0-only WITH Classpath-exception-2.0', list).allowed).toBe(false);
      expect(evaluateLicenseExpression('GPL-2.0-only WITH LLVM-exception', list).allowed).toBe(true);
    });
    it('binds tighter than AND and OR', () => {
      expect(evaluateLicenseExpression('MIT OR GPL-2.0-only WITH Classpath-exception-2.0', deny('GPL-2.0-only')).allowed).toBe(true);
    });
  });

  describe('with text that is not an expression', () => {
    it.each([
      ['unbalanced parentheses', '(MIT AND GPL-3.0-only'],
      ['a dangling operator', 'GPL-3.0-only AND'],
      ['two licenses without an operator', 'GPL-3.0-only MIT'],
      ['WITH without a license', 'WITH GPL-3.0-only'],
      ['free text', 'GNU General Public License v3 (GPL-3.0-only)'],
    ])('judges %s word by word', (_, text) => {
      expect(evaluateLicenseExpression(text, deny('GPL-3.0-only'))).toMatchObject({ allowed: false, disallowed: ['GPL-3.0-only'], parsed: false });
    });
    it('allows it when no word is disallowed', () => {
      expect(evaluateLicenseExpression('(MIT AND', deny('GPL-3.0-only'))).toEqual({ allowed: true, disallowed: [], parsed: false });
    });
  });

  describe('with hostile input', () => {
    it('evaluates 100 000 nested parentheses without recursion', () => {
      const n = 100_000;
      const text = `${'('.repeat(n)}GPL-3.0-only${')'.repeat(n)}`;
      // Over the length cap: judged word by word, still disallowed.
      expect(evaluateLicenseExpression(text, deny('GPL-3.0-only'))).toMatchObject({ allowed: false, parsed: false });
    });
    it('parses deep nesting within the length cap iteratively', () => {
      const n = Math.floor((MAX_EXPRESSION_CHARS - 20) / 2);
      const text = `${'('.repeat(n)}MIT${')'.repeat(n)}`;
      expect(evaluateLicenseExpression(text, deny('GPL-3.0-only'))).toEqual({ allowed: true, disallowed: [], parsed: true });
    });
    it('handles a long chain of operators', () => {
      const text = Array.from({ length: 400 }, (_, i) => `LicenseRef-${i}`).join(' AND ');
      expect(evaluateLicenseExpression(text, deny('LicenseRef-399'))).toEqual({ allowed: false, disallowed: ['LicenseRef-399'], parsed: true });
    });
  });
});
