import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORACLE_TIMEOUT, type OracleResult, runOracle, seed } from './oracle-testing.js';
import { parseSpecifierSet } from './pep440.js';
import {
  evaluateMarker,
  evaluateMarkerExact,
  formatMarker,
  linuxEnvironment,
  MarkerEvaluationError,
  type MarkerNode,
  normalizeName,
  parseMarker,
  parseRequirement,
  RequirementSyntaxError,
} from './pep508.js';

describe('parseRequirement', () => {
  it('parses name, extras, specifier and marker', () => {
    const r = parseRequirement('requests[Security, socks_x] >= 2.8.1, == 2.8.* ; python_version < "2.7"');
    expect(r.name).toBe('requests');
    expect(r.normalizedName).toBe('requests');
    expect(r.extras).toEqual(['security', 'socks-x']);
    expect(r.specifier).toBe('>=2.8.1,==2.8.*');
    expect(r.markerText).toBe('python_version < "2.7"');
    expect(r.marker).toEqual({
      kind: 'compare',
      left: { kind: 'variable', name: 'python_version' },
      op: '<',
      right: { kind: 'string', value: '2.7' },
    });
  });

  it('parses URL requirements with markers', () => {
    const r = parseRequirement('pip @ https://github.com/pypa/pip/archive/1.3.1.zip ; os_name == "posix"');
    expect(r.url).toBe('https://github.com/pypa/pip/archive/1.3.1.zip');
    expect(r.specifier).toBe('');
    expect(r.markerText).toBe('os_name == "posix"');
  });

  it('accepts parenthesized specifiers, === and names with dots', () => {
    expect(parseRequirement('Django (>=3.2,<5)').specifier).toBe('>=3.2,<5');
    expect(parseRequirement('foo===1.0.0-weird').specifier).toBe('===1.0.0-weird');
    expect(parseRequirement('zope.interface').normalizedName).toBe('zope-interface');
  });

  it('rejects bad input with an offset', () => {
    const bad = [
      '',
      'bad name',
      'x>=1.0.*',
      'x<1.0+local',
      'x[a b]',
      'x @ ',
      'x; os_name',
      'x==',
      '-x',
      'x (>=1',
    ];
    for (const text of bad) {
      expect(() => parseRequirement(text), text).toThrow(RequirementSyntaxError);
    }
    try {
      parseRequirement('name>=1.0 extra');
    } catch (e) {
      expect((e as RequirementSyntaxError).offset).toBe(4);
    }
  });

  it('rejects hostile nesting without overflowing the stack, and stays fast on long input', () => {
    const deep = `x ; ${'('.repeat(5000)}os_name == "a"${')'.repeat(5000)}`;
    expect(() => parseRequirement(deep)).toThrow(RequirementSyntaxError);
    const ok = `x ; ${'('.repeat(50)}os_name == "a"${')'.repeat(50)}`;
    expect(parseRequirement(ok).marker).toBeDefined();
    const long = `x ; ${Array.from({ length: 5000 }, (_, i) => `os_name == "${i}"`).join(' or ')}`;
    expect(evaluateMarker(parseRequirement(long).marker as MarkerNode, linuxEnvironment('3.12'))).toBe(false);
    expect(() => parseRequirement(`x${' '.repeat(100_000)}y`)).toThrow(RequirementSyntaxError);
  });

  it('normalizes names like PEP 503', () => {
    expect(normalizeName('Foo__Bar.-baz')).toBe('foo-bar-baz');
  });
});

describe('markers', () => {
  const env = linuxEnvironment('3.12');
  it('evaluates python_version and sys_platform', () => {
    expect(evaluateMarker('python_version < "3.11" and sys_platform == "linux"', env)).toBe(false);
    expect(evaluateMarker('python_version >= "3.11" and sys_platform == "linux"', env)).toBe(true);
    expect(evaluateMarker('python_version < "3.11" or sys_platform == "linux"', env)).toBe(true);
    expect(
      evaluateMarker('sys_platform == "win32" or (os_name == "posix" and platform_machine == "x86_64")', env),
    ).toBe(true);
    expect(evaluateMarker('python_full_version >= "3.12.1"', env)).toBe(true);
    expect(evaluateMarker("'linux' in sys_platform", env)).toBe(true);
    expect(evaluateMarker('platform_machine not in "aarch64 arm64"', env)).toBe(true);
  });

  it('evaluates extras with PEP 685 normalization', () => {
    expect(evaluateMarker('extra == "x"', env)).toBe(false);
    expect(evaluateMarker('extra == "X_Y"', env, ['x.y'])).toBe(true);
    expect(evaluateMarker('"dev" in extras', env, ['Dev'])).toBe(true);
    expect(evaluateMarker('"docs" in dependency_groups', env, [], ['docs'])).toBe(true);
  });

  it('and binds tighter than or', () => {
    const m = parseMarker('os_name == "a" or os_name == "posix" and sys_platform == "b"');
    expect(m.kind).toBe('or');
    expect(evaluateMarker(m, env)).toBe(false);
    expect(formatMarker(m)).toBe('os_name == "a" or os_name == "posix" and sys_platform == "b"');
    const chain = 'os_name == "a" or os_name == "b" or os_name == "c" and (os_name == "d" or os_name == "e")';
    expect(formatMarker(parseMarker(chain))).toBe(chain);
    expect(formatMarker(parseMarker(formatMarker(parseMarker(chain))))).toBe(chain);
  });

  it('raises on undefined comparisons like packaging', () => {
    expect(() => evaluateMarker('os_name ~= "posix"', env)).toThrow(MarkerEvaluationError);
    expect(evaluateMarker('os_name < "posix"', env)).toBe(false);
  });

  it('builds a Linux environment', () => {
    expect(linuxEnvironment('3.11.4', 'aarch64')).toMatchObject({
      python_version: '3.11',
      python_full_version: '3.11.4',
      platform_machine: 'aarch64',
      sys_platform: 'linux',
      platform_system: 'Linux',
    });
    expect(linuxEnvironment('3.12', 'arm64').platform_machine).toBe('aarch64');
    expect(linuxEnvironment('3.12', 'amd64').platform_machine).toBe('x86_64');
    expect(() => linuxEnvironment('three')).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Differential property tests against `packaging`.

const ws = fc.constantFrom('', '', ' ', '  ', '\t');
const ident = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?$/);
const versionText = fc.oneof(
  fc.constantFrom(
    '1.0',
    '2',
    '3.11',
    '3.11.4',
    '1.0rc1',
    '1.0.post1',
    '1.0.dev2',
    '1!2.0',
    '1.0a1.post2.dev3',
    'v1.2',
  ),
  fc.constantFrom('1.0.*', '1.*', '1.0+local', '1.0+loc.1', 'abc', '1..0', '1.0-1', '1.0_rc_1', 'a.b', ''),
  fc.tuple(fc.nat(20), fc.nat(20), fc.nat(5)).map(([a, b, c]) => `${a}.${b}.${c}`),
);
const op = fc.constantFrom('==', '!=', '<=', '>=', '<', '>', '~=', '===', '=', '=>', '<>');
const clause = fc.tuple(op, ws, versionText).map(([o, w, v]) => `${o}${w}${v}`);
const specifier = fc
  .array(fc.tuple(clause, ws, ws), { minLength: 0, maxLength: 3 })
  .map((cs) => cs.map(([c, a, b]) => `${a}${c}${b}`).join(','));
const variable = fc.constantFrom(
  'python_version',
  'python_full_version',
  'os_name',
  'os.name',
  'sys_platform',
  'sys.platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform.machine',
  'platform_python_implementation',
  'python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'extras',
  'dependency_groups',
);
const literal = fc
  .constantFrom(
    '3.8',
    '3.11',
    '3.12',
    '3.12.4',
    '3',
    'linux',
    'posix',
    'x86_64',
    'cpython',
    'Linux',
    'dev',
    'Test_x',
    '',
    'a b',
    '3.*',
    '3.12.0rc1',
  )
  .chain((v) => fc.constantFrom(`"${v}"`, `'${v}'`));
const markerOp = fc.constantFrom(
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '~=',
  '===',
  'in',
  'not in',
  'not  in',
  '=',
);
const markerItem = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: variable }, { weight: 1, arbitrary: literal }),
    ws,
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('==', '!=', '<', '>=', 'in', 'not in') },
      { weight: 1, arbitrary: markerOp },
    ),
    ws,
    fc.oneof({ weight: 4, arbitrary: literal }, { weight: 1, arbitrary: variable }),
  )
  .map(([l, a, o, b, r]) => `${l}${a}${o}${b}${r}`);
const markerExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    markerItem,
    fc
      .tuple(tie('expr'), fc.constantFrom(' and ', ' or ', 'and', ' or'), tie('expr'))
      .map(([a, o, b]) => `${a}${o}${b}`),
    tie('expr').map((e) => `(${e})`),
  ),
})).expr as fc.Arbitrary<string>;

/** Random edits that turn valid text into near-valid or invalid text. */
function mutate(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: text },
    fc
      .tuple(
        text,
        fc.nat(),
        fc.constantFrom(
          '[',
          ']',
          '(',
          ')',
          ',',
          ';',
          '@',
          '<',
          '=',
          '"',
          "'",
          ' ',
          '\t',
          '.',
          '*',
          '+',
          '!',
          '~',
          'x',
          '\\',
          '\n',
          'é',
        ),
      )
      .map(([t, i, c]) => {
        const at = t.length === 0 ? 0 : i % (t.length + 1);
        return t.slice(0, at) + c + t.slice(at);
      }),
    fc.tuple(text, fc.nat()).map(([t, i]) => {
      if (t.length === 0) return t;
      const at = i % t.length;
      return t.slice(0, at) + t.slice(at + 1);
    }),
  );
}

const requirementText = mutate(
  fc
    .tuple(
      ws,
      ident,
      ws,
      fc.option(fc.array(ident, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`)),
      ws,
      fc.oneof(
        specifier,
        specifier.map((s) => `(${s})`),
        fc.constantFrom('@ https://example.com/x-1.0.tar.gz', '@ file:///tmp/x.whl', '@https://h/p#egg=x'),
      ),
      fc.option(markerExpr.map((m) => `;${m}`)),
      ws,
    )
    .map(
      ([a, n, b, e, c, s, m, d]) =>
        `${a}${n}${b}${e ?? ''}${c}${s}${m !== null ? (s.startsWith('@') ? ` ${m}` : m) : ''}${d}`,
    ),
);

function mine(text: string): OracleResult {
  try {
    const r = parseRequirement(text);
    const specs = (parseSpecifierSet(r.specifier) ?? []).map((s) => [s.operator, s.version]).sort();
    return {
      ok: true,
      name: r.name,
      extras: [...r.extras].sort(),
      specs,
      url: r.url ?? null,
      marker: r.marker,
    };
  } catch (e) {
    if (e instanceof RequirementSyntaxError) return { ok: false };
    throw e;
  }
}

const sortPairs = (xs: string[][]) =>
  [...xs].sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : a.join('\0') > b.join('\0') ? 1 : 0));

describe('differential: PEP 508 requirements vs packaging', () => {
  it(
    'accepts and rejects the same strings, with the same parts',
    () => {
      const samples = fc.sample(requirementText, { numRuns: 3000, seed: seed(508) });
      const fixed = [
        'foo\n',
        'foo\n\n',
        'name @ https://x ;',
        'name[] >= 1',
        'a===1,b',
        'x ; os_name == "a\\"',
        'x ; os_name == "\\x4"',
        "x ; os_name == '\\n'",
        'x;extra=="é"',
        'x (>=1.0, <2) ; python_version>"3"',
        'x[a,]',
        'x>=1.0.post1.dev2',
        'x~=1',
        'x==1.0.*,!=1.1.*',
      ];
      const inputs = [...fixed, ...samples];
      const expected = runOracle(inputs.map((text) => ({ kind: 'requirement', text })));
      const mismatches: string[] = [];
      inputs.forEach((text, i) => {
        const want = expected[i] as OracleResult;
        const got = mine(text);
        if (got.ok !== want.ok) {
          mismatches.push(
            `${JSON.stringify(text)}: packaging ${want.ok ? 'accepts' : `rejects (${want.error})`}, we ${got.ok ? 'accept' : 'reject'}`,
          );
          return;
        }
        if (!want.ok) return;
        const same =
          got.name === want.name &&
          JSON.stringify(got.extras) === JSON.stringify(want.extras) &&
          JSON.stringify(sortPairs(got.specs)) === JSON.stringify(sortPairs(want.specs)) &&
          got.url === want.url &&
          (got.marker === undefined) === (want.marker === null);
        if (!same)
          mismatches.push(
            `${JSON.stringify(text)}: packaging ${JSON.stringify(want)}, we ${JSON.stringify(got)}`,
          );
      });
      expect(mismatches.slice(0, 20)).toEqual([]);
      // The generator must exercise both sides.
      const accepted = expected.filter((r) => r.ok).length;
      expect(accepted).toBeGreaterThan(inputs.length / 5);
      expect(inputs.length - accepted).toBeGreaterThan(inputs.length / 5);
    },
    ORACLE_TIMEOUT,
  );
});

describe('formatMarker', () => {
  it('round-trips: the text it writes parses back to a marker that evaluates the same', () => {
    const envs = ['3.8', '3.12', '3.13'].map((v) => ({ ...linuxEnvironment(v), extra: 'dev' }));
    const run = (m: MarkerNode, env: Record<string, string>) => {
      try {
        return evaluateMarkerExact(m, { ...env, extras: ['dev'], dependency_groups: [] });
      } catch (e) {
        if (e instanceof MarkerEvaluationError) return 'error';
        throw e;
      }
    };
    let checked = 0;
    fc.assert(
      fc.property(markerExpr, (text) => {
        let m: MarkerNode;
        try {
          m = parseMarker(text);
        } catch {
          return;
        }
        checked++;
        const printed = formatMarker(m);
        const again = parseMarker(printed);
        expect(formatMarker(again)).toBe(printed);
        for (const env of envs) expect(run(again, env)).toBe(run(m, env));
      }),
      { numRuns: 2000, seed: seed(12) },
    );
    expect(checked).toBeGreaterThan(500);
    expect(formatMarker(parseMarker(`os_name == 'say "hi"\\n'`))).toBe(`os_name == 'say \\"hi\\"\\n'`);
  });
});

describe('differential: marker evaluation vs packaging', () => {
  it(
    'parses and evaluates the same way',
    () => {
      const envArb = fc.record({
        python_version: fc.constantFrom('3.8', '3.11', '3.12', '3.13'),
        python_full_version: fc.constantFrom('3.8.10', '3.11.4', '3.12.0', '3.12.4', '3.12.0rc1', '3.13.1+'),
        os_name: fc.constantFrom('posix', 'nt'),
        sys_platform: fc.constantFrom('linux', 'win32', 'darwin'),
        platform_release: fc.constantFrom('', '6.1.0-13-amd64', '5.15'),
        platform_system: fc.constantFrom('Linux', 'Windows'),
        platform_version: fc.constantFrom('', '#1 SMP'),
        platform_machine: fc.constantFrom('x86_64', 'aarch64'),
        platform_python_implementation: fc.constantFrom('CPython', 'PyPy'),
        implementation_name: fc.constantFrom('cpython', 'pypy'),
        implementation_version: fc.constantFrom('3.12.4', '7.3.12'),
        extra: fc.constantFrom('', 'dev', 'test-x', 'Test_X'),
        extras: fc.subarray(['dev', 'test-x', 'docs']),
        dependency_groups: fc.subarray(['dev', 'docs']),
      });
      const cases = fc.sample(fc.tuple(mutate(markerExpr), envArb), { numRuns: 3000, seed: seed(685) });
      const expected = runOracle(cases.map(([text, env]) => ({ kind: 'marker', text, env })));
      const mismatches: string[] = [];
      let evaluated = 0;
      cases.forEach(([text, env], i) => {
        const want = expected[i] as OracleResult;
        let got: OracleResult;
        try {
          const node = parseMarker(text);
          try {
            got = { ok: true, value: evaluateMarkerExact(node, env) };
          } catch (e) {
            if (!(e instanceof MarkerEvaluationError)) throw e;
            got = { ok: false, stage: 'eval' };
          }
        } catch (e) {
          if (!(e instanceof RequirementSyntaxError)) throw e;
          got = { ok: false, stage: 'parse' };
        }
        if (want.ok) evaluated++;
        if (got.ok !== want.ok || got.value !== want.value || got.stage !== want.stage) {
          mismatches.push(
            `${JSON.stringify(text)} env=${JSON.stringify(env)}: packaging ${JSON.stringify(want)}, we ${JSON.stringify(got)}`,
          );
        }
      });
      expect(mismatches.slice(0, 20)).toEqual([]);
      expect(evaluated).toBeGreaterThan(cases.length / 5);
    },
    ORACLE_TIMEOUT,
  );
});
