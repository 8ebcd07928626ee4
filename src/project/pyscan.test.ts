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
