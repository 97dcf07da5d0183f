import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { regexBuiltins } from '../../../src/policy/host-builtins.js';
import { loadWasmPolicy, type LoadedWasmPolicy } from '../../../src/policy/load-wasm-policy.js';
import { readBundle } from '../../../src/policy/read-bundle.js';
import { sdkBuiltinTable } from '../../../src/policy/route-sdk-regex-builtins.js';
import { buildFixtureBundle } from '../../helpers/build-fixture-bundle.js';

// `(a+)+$` on a run of `a` and a breaking character: 2^n steps for a backtracking engine
// (the SDK's `s.split(RegExp(pattern))`), one pass for RE2. The test asserts the answer only.
const RUN = 'a'.repeat(20_000);

describe('regex.split in a Wasm policy runs on RE2, not the SDK RegExp (issue 14 item 4)', () => {
  let policy: LoadedWasmPolicy;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-regex-split-'));
    writeFileSync(join(dir, 'policy.rego'), [
      'package portcullis', '', 'import rego.v1', '',
      'decision := {"allowed": true, "reasons": [], "warnings": [json.marshal(regex.split(input.pattern, input.subject))]}',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'data.json'), '{}');
    policy = await loadWasmPolicy(readBundle((await buildFixtureBundle(dir)).bytes));
  }, 120_000);

  const split = (pattern: string, subject: string): unknown => JSON.parse(policy.evaluate({ pattern, subject }).warnings[0]!);

  it('puts the RE2 regex.split in the SDK built-in table, which the SDK reads before the host’s', () => {
    expect(sdkBuiltinTable()['regex.split']).toBe(regexBuiltins['regex.split']);
  });

  it('has Go semantics: capture groups are not spliced into the result', () => {
    // The SDK's String.prototype.split gave ["a", ",", "b"].
    expect(split('(,)', 'a,b')).toEqual(['a', 'b']);
    expect(split('a', 'banana')).toEqual(['b', 'n', 'n', '']);
  });

  it('completes a pathological pattern on a long subject', () => {
    expect(split('(a+)+$', `${RUN}!`)).toEqual([`${RUN}!`]);
    expect(split('(a+)+!', `x${RUN}!y`)).toEqual(['x', 'y']);
  });

  it('is undefined for a pattern RE2 refuses (backreference), as OPA without strict mode', () => {
    // The decision rule uses the call, so it is undefined too.
    expect(() => policy.evaluate({ pattern: '(a)\\1', subject: 'aa' })).toThrow(expect.objectContaining({ code: 'INVALID_DECISION' }));
  });
});
