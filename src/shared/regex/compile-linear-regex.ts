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
  };
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
