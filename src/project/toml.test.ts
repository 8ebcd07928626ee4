import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { findKeyLine, parseToml, pythonJsonDumps } from './toml.js';

describe('parseToml', () => {
  it('turns syntax errors into InputError with line and column', () => {
    try {
      parseToml('[project]\nname = "x"\nversion = \n', 'pyproject.toml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).file).toBe('pyproject.toml');
      expect((e as InputError).line).toBe(3);
      expect((e as InputError).message).toMatch(/^invalid TOML: /);
    }
  });
});

describe('findKeyLine', () => {
  const text = `# top
name = "top"

[project]
name = "x"
dependencies = [
  "a = b",
]

[tool.poetry.dependencies]
python = "^3.11"

[[tool.uv.index]]
url = "https://x"

[ "tool" . "pycontain" ]
port = 1
tool.other.key = 2
`;
  it('finds keys in tables, array tables, quoted headers and dotted keys', () => {
    expect(findKeyLine(text, '', 'name')).toBe(2);
    expect(findKeyLine(text, 'project', 'name')).toBe(5);
    expect(findKeyLine(text, 'project', 'dependencies')).toBe(6);
    expect(findKeyLine(text, 'tool.poetry.dependencies', 'python')).toBe(11);
    expect(findKeyLine(text, 'tool.uv.index', 'url')).toBe(14);
    expect(findKeyLine(text, 'tool.pycontain', 'port')).toBe(17);
    expect(findKeyLine(text, 'tool.pycontain.tool.other', 'key')).toBe(18);
    expect(findKeyLine(text, 'tool.poetry.dependencies')).toBe(10);
    expect(findKeyLine(text, 'nope', 'x')).toBeUndefined();
  });
});

describe("pythonJsonDumps is Python's json.dumps(sort_keys=True)", () => {
  it('on known values', () => {
    expect(pythonJsonDumps({ b: [1, 'x'], a: null, c: { z: true, y: false } })).toBe(
      '{"a": null, "b": [1, "x"], "c": {"y": false, "z": true}}',
    );
    expect(pythonJsonDumps({ b: 1, a: 'é\n' }, true)).toBe('{"a":"\\u00e9\\n","b":1}');
  });

  it('differential against python3 on random TOML-like values', () => {
    const leaf = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean());
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const samples = fc.sample(value, { numRuns: 300, seed: 42 });
    const input = JSON.stringify(
      samples
        .map((v) => ({ v, compact: false }))
        .concat(samples.slice(0, 100).map((v) => ({ v, compact: true }))),
    );
    const py =
      'import json,sys\nfor x in json.load(sys.stdin):\n    print(json.dumps(json.dumps(x["v"], sort_keys=True, separators=((",", ":") if x["compact"] else None))))';
    const out = execFileSync('python3', ['-c', py], { input, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string);
    const all = samples
      .map((v) => pythonJsonDumps(v))
      .concat(samples.slice(0, 100).map((v) => pythonJsonDumps(v, true)));
    expect(all).toEqual(out);
  });
});
