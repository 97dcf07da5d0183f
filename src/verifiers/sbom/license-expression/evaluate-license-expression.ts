import { licenseNames } from './license-names.js';

/** The outcome of checking one license expression against a set of disallowed licenses. */
export interface LicenseVerdict {
  /** True when some choice the expression offers uses no disallowed license. */
  readonly allowed: boolean;
  /** The disallowed licenses the expression mentions, as written (empty when none). */
  readonly disallowed: readonly string[];
  /** False when the text is not a valid SPDX expression and was judged token by token. */
  readonly parsed: boolean;
}

/** Longer expressions are not parsed (judged token by token): no real package needs more. */
export const MAX_EXPRESSION_CHARS = 8192;

type Token =
  | { readonly kind: '(' | ')' | 'AND' | 'OR' | 'WITH' }
  | { readonly kind: 'ID'; readonly text: string };
interface Leaf { readonly kind: 'LEAF'; readonly text: string; readonly names: readonly string[] }
type Item = Exclude<Token, { kind: 'ID' | 'WITH' }> | Leaf;

// SPDX 2.3 Annex D.2: idstring = 1*(ALPHA / DIGIT / "-" / "."), license-ref may carry a
// `DocumentRef-…:` prefix, a license-id may end in "+".
const ID = /^[A-Za-z0-9.-]+(?::[A-Za-z0-9.-]+)?\+?$/;
const OPERATORS: Readonly<Record<string, 'AND' | 'OR' | 'WITH'>> = {
  AND: 'AND', OR: 'OR', WITH: 'WITH',
  // Upper case is the standard; all-lower-case operators are accepted as SPDX 2.3 allows.
  and: 'AND', or: 'OR', with: 'WITH',
};

/**
 * Decides whether a package whose license is `expression` can be used without any license in
 * `disallowed` (lower-cased names, see `licenseNames`). SPDX semantics (2.3 Annex D.4):
 * `A OR B` is a choice, allowed when either side is; `A AND B` needs both; `A WITH E` is
 * license A with exception E and is disallowed when A is, or when the exact `A WITH E` is
 * listed; `A+` is its own identifier. Precedence WITH > AND > OR, parentheses group.
 *
 * The parser is an iterative shunting-yard evaluation over a bounded token list: no
 * recursion, so hostile nesting costs linear time and no stack. Text that is not a valid
 * expression is judged conservatively: disallowed if any of its words is a disallowed license.
 */
export function evaluateLicenseExpression(expression: string, disallowed: ReadonlySet<string>): LicenseVerdict {
  const items = expression.length <= MAX_EXPRESSION_CHARS ? toItems(tokenize(expression)) : undefined;
  const found = new Set<string>();
  if (items) {
    const allowed = evaluate(items, disallowed, found);
    if (allowed !== undefined) return { allowed, disallowed: allowed ? [] : [...found], parsed: true };
  }
  // Not an expression: any disallowed word makes the package disallowed (one linear pass).
  for (const word of expression.split(/[\s()]+/)) {
    if (word && isDisallowed(licenseNames(word), disallowed)) found.add(word);
  }
  return { allowed: found.size === 0, disallowed: [...found], parsed: false };
}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  for (const raw of text.split(/(\(|\))|\s+/)) {
    if (!raw) continue;
    if (raw === '(' || raw === ')') tokens.push({ kind: raw });
    else if (Object.hasOwn(OPERATORS, raw)) tokens.push({ kind: OPERATORS[raw] as 'AND' | 'OR' | 'WITH' });
    else if (ID.test(raw)) tokens.push({ kind: 'ID', text: raw });
    else return undefined;
  }
  return tokens.length > 0 ? tokens : undefined;
}

/** Folds `ID WITH ID` into one leaf; a WITH anywhere else makes the expression invalid. */
function toItems(tokens: Token[] | undefined): Item[] | undefined {
  if (!tokens) return undefined;
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'WITH') return undefined;
    if (t.kind !== 'ID') { items.push(t); continue; }
    const next = tokens[i + 1];
    const exception = tokens[i + 2];
    if (next?.kind === 'WITH') {
      if (exception?.kind !== 'ID' || exception.text.endsWith('+')) return undefined;
      const text = `${t.text} WITH ${exception.text}`;
      items.push({ kind: 'LEAF', text, names: [...licenseNames(t.text), text.toLowerCase()] });
      i += 2;
    } else {
      items.push({ kind: 'LEAF', text: t.text, names: licenseNames(t.text) });
    }
  }
  return items;
}

const PRECEDENCE = { AND: 2, OR: 1 } as const;

/** Shunting-yard over the items; undefined when they do not form an expression. */
function evaluate(items: readonly Item[], disallowed: ReadonlySet<string>, found: Set<string>): boolean | undefined {
  const values: boolean[] = [];
  const operators: Array<'(' | 'AND' | 'OR'> = [];
  let expectOperand = true;
  const reduce = (): boolean => {
    const op = operators.pop();
    const right = values.pop();
    const left = values.pop();
    if (right === undefined || left === undefined || (op !== 'AND' && op !== 'OR')) return false;
    values.push(op === 'AND' ? left && right : left || right);
    return true;
  };
  for (const item of items) {
    switch (item.kind) {
      case 'LEAF': {
        if (!expectOperand) return undefined;
        const bad = isDisallowed(item.names, disallowed);
        if (bad) found.add(item.text);
        values.push(!bad);
        expectOperand = false;
        break;
      }
      case '(':
        if (!expectOperand) return undefined;
        operators.push('(');
        break;
      case ')':
        if (expectOperand) return undefined;
        while (operators.length > 0 && operators[operators.length - 1] !== '(') if (!reduce()) return undefined;
        if (operators.pop() !== '(') return undefined;
        break;
      case 'AND':
      case 'OR': {
        if (expectOperand) return undefined;
        for (;;) {
          const top = operators[operators.length - 1];
          if (top === undefined || top === '(' || PRECEDENCE[top] < PRECEDENCE[item.kind]) break;
          if (!reduce()) return undefined;
        }
        operators.push(item.kind);
        expectOperand = true;
        break;
      }
    }
  }
  if (expectOperand) return undefined;
  while (operators.length > 0) if (operators[operators.length - 1] === '(' || !reduce()) return undefined;
  return values.length === 1 ? values[0] : undefined;
}

function isDisallowed(names: readonly string[], disallowed: ReadonlySet<string>): boolean {
  return names.some((n) => disallowed.has(n));
}
