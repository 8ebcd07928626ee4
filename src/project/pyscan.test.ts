import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callArgs, importBindings, literalInt, literalString, qualify, scanPython } from './pyscan.js';

const names = (src: string) =>
  scanPython(src).flatMap((s) => s.tokens.filter((t) => t.type === 'name').map((t) => t.value));

describe('scanPython', () => {
  it('ignores code-like text in comments and every kind of string', () => {
    const src = [
      '# app = FastAPI()',
      'doc = """',
      'app = Flask(__name__)',
      '"""',
      's = \'Celery(\' + "Starlette("',
      "r = r'\\' Litestar('",
      'b = rb\'x\' + Rb"y"',
      'f = f\'{x!r} {{not_a_field}} {d["k"]} Flask(\'',
      "g = f\"{'nested' + f'{inner}'}\"",
      "t = f'''{",
      '  value  # comment inside a field',
      "}''' ",
      'real = Thing()',
    ].join('\n');
    const n = names(src);
    expect(n).not.toContain('FastAPI');
    expect(n).not.toContain('Flask');
    expect(n).not.toContain('Celery');
    expect(n).not.toContain('Starlette');
    expect(n).not.toContain('Litestar');
    expect(n).toContain('Thing');
    const last = scanPython(src).at(-1);
    expect(last?.line).toBe(13);
  });

  it('decodes string values and keeps prefixes', () => {
    const [st] = scanPython(`x = ("a\\tb" 'c' r'\\d' b"e" f"{y}z")`);
    const strings = st?.tokens.filter((t) => t.type === 'string').map((t) => [t.prefix, t.value]);
    expect(strings).toEqual([
      ['', 'a\tb'],
      ['', 'c'],
      ['r', '\\d'],
      ['b', 'e'],
      ['f', '{}z'],
    ]);
  });

  it('joins bracketed and backslash-continued lines into logical lines with indents', () => {
    const src = 'app = FastAPI(\n    title="x",\n)\nif True:\n    y = 1 + \\\n        2\n    z = 3; w = 4\n';
    const sts = scanPython(src);
    expect(sts.map((s) => [s.line, s.indent, s.tokens[0]?.value])).toEqual([
      [1, 0, 'app'],
      [4, 0, 'if'],
      [5, 4, 'y'],
      [7, 4, 'z'],
      [7, 11, 'w'],
    ]);
  });

  it('reads call arguments, literals and imports', () => {
    const [st] = scanPython(
      'uvicorn.run("pkg.main:app", host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))',
    );
    const open = st?.tokens.findIndex((t) => t.value === '(') ?? -1;
    const args = callArgs(st?.tokens ?? [], open);
    expect(literalString(args.positional[0])).toBe('pkg.main:app');
    expect(literalString(args.keywords.get('host'))).toBe('0.0.0.0');
    expect(literalInt(args.keywords.get('port'))).toBe(8080);

    const b = importBindings(
      scanPython(
        'import fastapi as fa, os\nfrom aiohttp import web\nfrom flask import (Flask as F,\n  request)\nfrom . import views\n',
      ),
    );
    expect(qualify('fa.FastAPI', b)).toBe('fastapi.FastAPI');
    expect(qualify('web.Application', b)).toBe('aiohttp.web.Application');
    expect(qualify('F', b)).toBe('flask.Flask');
    expect(qualify('views', b)).toBe('.views');
  });

  it('never throws and keeps line numbers monotonic on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              '"',
              "'",
              '"""',
              "'''",
              'f"',
              "rb'",
              '{',
              '}',
              '(',
              ')',
              '#',
              '\\',
              '\n',
              ' ',
              'x',
              '=',
              '1',
            ),
            fc.string({ maxLength: 5 }),
          ),
          { maxLength: 60 },
        ),
        (parts) => {
          const src = parts.join('');
          const sts = scanPython(src);
          const lines = src.split('\n').length;
          let prev = 0;
          for (const s of sts) {
            for (const t of s.tokens) {
              expect(t.line).toBeGreaterThanOrEqual(1);
              expect(t.line).toBeLessThanOrEqual(lines);
            }
            expect(s.line).toBeGreaterThanOrEqual(prev);
            prev = s.line;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

// Differential test against CPython's own tokenizer over the standard library: the same names on
// the same lines, and the same values for plain string literals.
describe('scanPython vs Python tokenize (stdlib)', () => {
  const oracle = String.raw`
import ast, io, json, sys, sysconfig, tokenize, glob, os
files = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py")))[:int(sys.argv[1])]
out = []
for f in files:
    try:
        src = open(f, encoding="utf-8").read()
        toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    except Exception:
        continue
    names = [[t.string, t.start[0]] for t in toks if t.type == tokenize.NAME]
    strings = []
    for t in toks:
        if t.type == tokenize.STRING and "\\" not in t.string:
            prefix = t.string[: len(t.string) - len(t.string.lstrip("rRbBuUfF"))].lower()
            if "f" in prefix or "b" in prefix:
                continue
            strings.append([t.start[0], ast.literal_eval(t.string)])
    out.append({"file": f, "src": src, "names": names, "strings": strings})
print(json.dumps(out))
`;
  it('agrees on names and string values for 60 stdlib modules', async () => {
    const { execFileSync } = await import('node:child_process');
    const data = JSON.parse(
      execFileSync('python3', ['-c', oracle, process.env.PYSCAN_ORACLE_FILES ?? '60'], {
        maxBuffer: 256 * 1024 * 1024,
      }).toString(),
    ) as {
      file: string;
      src: string;
      names: [string, number][];
      strings: [number, string][];
    }[];
    expect(data.length).toBeGreaterThan(50);
    for (const f of data) {
      const tokens = scanPython(f.src).flatMap((s) => s.tokens);
      const ours = tokens.filter((t) => t.type === 'name').map((t) => [t.value, t.line]);
      expect(ours, f.file).toEqual(f.names);
      const plain = tokens
        .filter((t) => t.type === 'string' && !/[fbt]/.test(t.prefix ?? ''))
        .map((t) => [t.line, t.value] as [number, string]);
      // Compare the literals Python reported (those without backslashes) by line and value.
      const key = (x: [number, string]) => `${x[0]}\u0000${x[1]}`;
      const ourKeys = new Set(plain.map(key));
      for (const s of f.strings) expect(ourKeys.has(key(s)), `${f.file}:${s[0]}`).toBe(true);
    }
  });
});
