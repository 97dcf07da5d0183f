/**
 * The one place that picks Portcullis' regular-expression engine for patterns that config or
 * policy supply: RE2 semantics through `re2js`, a pure-JavaScript port of RE2/Go `regexp`,
 * whose matching time is linear in the subject whatever the pattern (no backtracking), so a
 * pathological pattern or subject cannot stall the event loop. RE2 has no backreferences and
 * no lookaround; such a pattern is refused at compile time. Why re2js and not the native `re2`
 * binding: docs/dependencies.md.
 */
import { RE2JS } from 're2js';
import { CodedError } from '../coded-error.js';

/** A pattern that RE2 does not accept (syntax, backreference, lookaround, too large). */
export class RegexError extends CodedError<'INVALID_REGEX'> {}

/** A compiled pattern with Go `regexp` semantics. */
export interface LinearRegex {
  readonly source: string;
  /** True when the whole of `subject` matches (RE2's FullMatch: `^(?:source)$`). */
  fullMatch(subject: string): boolean;
  /**
   * Go's `Regexp.ReplaceAllString`: every match replaced by `template`, expanded as Go's
   * `Regexp.Expand` does — `$1`, `${1}`, `$name`, `${name}`, `$$` for a literal `$`; a group
   * that does not exist or did not take part expands to nothing.
   */
  replaceAll(subject: string, template: string): string;
  /**
   * Go's `Regexp.Split(s, -1)` (what OPA's `regex.split` calls): the pieces between matches;
   * capture groups are not included (unlike `String.prototype.split`), an empty match right
   * after a match is ignored, an empty subject gives `[""]`.
   */
  split(subject: string): string[];
}

/** Compiles `source` with RE2 semantics; throws RegexError when RE2 refuses it. */
export function compileLinearRegex(source: string): LinearRegex {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new RegexError('INVALID_REGEX', `invalid RE2 regular expression: ${(err as Error).message}`, { cause: err });
  }
  const names = re.namedGroups() as Record<string, number>;
  return {
    source,
    fullMatch: (subject) => re.testExact(subject),
    replaceAll: (subject, template) =>
      re.matcher(subject).replaceAll((...args: unknown[]) => expandGoTemplate(template, groupsOf(args, re.groupCount()), names)),
    split: (subject) => goSplit(re, source, subject),
  };
}

// https://pkg.go.dev/regexp#Regexp.Split with n = -1, over Go's FindAllStringIndex, which
// drops an empty match that abuts the previous match (re2js' find, like Java's, keeps it).
function goSplit(re: RE2JS, source: string, subject: string): string[] {
  if (source.length > 0 && subject.length === 0) return [''];
  const parts: string[] = [];
  const m = re.matcher(subject);
  let beg = 0;
  let end = 0;
  let previousEnd = -1;
  while (m.find()) {
    const start = m.start();
    const stop = m.end();
    const abutting = start === stop && start === previousEnd;
    previousEnd = stop;
    if (abutting) continue;
    end = start;
    if (stop !== 0) parts.push(subject.slice(beg, end));
    beg = stop;
  }
  if (end !== subject.length) parts.push(subject.slice(beg));
  return parts;
}

// A replacer receives (match, g1 … gN, offset, input[, groups]); keep match and the N groups.
function groupsOf(args: readonly unknown[], count: number): readonly (string | undefined)[] {
  return args.slice(0, count + 1).map((g) => (typeof g === 'string' ? g : undefined));
}

// Go regexp.Expand (https://pkg.go.dev/regexp#Regexp.Expand): `$name` takes the longest run of
// letters, digits and `_`; a name that is all digits is a group number.
const TEMPLATE_REF = /\$(?:\$|\{(\w+)\}|(\w+))/g;

function expandGoTemplate(template: string, groups: readonly (string | undefined)[], names: Record<string, number>): string {
  return template.replace(TEMPLATE_REF, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare;
    if (name === undefined) return whole === '$$' ? '$' : whole;
    const index = /^\d+$/.test(name) ? Number(name) : Object.hasOwn(names, name) ? names[name] : undefined;
    return index === undefined ? '' : (groups[index] ?? '');
  });
}
