import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellSplit } from '../project/framework.js';
import { ShellSyntaxError, shellWords, simpleCommandArgv, splitShellWords } from './shell-words.js';

/** Single-quote a word the POSIX way ('"'"' for a quote inside). */
const quote = (w: string) => `'${w.replace(/'/g, `'"'"'`)}'`;

describe('splitShellWords', () => {
  it('honours quotes and backslashes, keeps empty quoted words', () => {
    expect(
      splitShellWords(`uvicorn app:app --host "0.0.0.0" --log-config 'a b.json' x\\ y "" "c\\"d" "\\q"`),
    ).toEqual([
      'uvicorn',
      'app:app',
      '--host',
      '0.0.0.0',
      '--log-config',
      'a b.json',
      'x y',
      '',
      'c"d',
      '\\q',
    ]);
    expect(splitShellWords(`python -c 'print("hi there")'`)).toEqual(['python', '-c', 'print("hi there")']);
    expect(splitShellWords('  \t ')).toEqual([]);
  });

  it('says where an unterminated quote or a final backslash is', () => {
    const err = (t: string) => {
      try {
        splitShellWords(t);
      } catch (e) {
        return e instanceof ShellSyntaxError ? [e.message, e.offset] : e;
      }
      return null;
    };
    expect(err('a "b')).toEqual(['unterminated " quote', 2]);
    expect(err("a 'b")).toEqual(["unterminated ' quote", 2]);
    expect(err('a b\\')).toEqual(['nothing after the final backslash', 3]);
  });

  it('gives each word its start offset', () => {
    expect(shellWords(` a  'b c' d`)).toEqual([
      { value: 'a', start: 1 },
      { value: 'b c', start: 4 },
      { value: 'd', start: 10 },
    ]);
  });

  it('round-trips any argv quoted word by word (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }), (argv) => {
        expect(splitShellWords(argv.map(quote).join(' '))).toEqual(argv);
      }),
    );
  });

  it('never throws anything but ShellSyntaxError (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '|', '`', '$', '\n') }),
        (t) => {
          try {
            shellWords(t, { operators: 'reject' });
            shellWords(t);
          } catch (e) {
            expect(e).toBeInstanceOf(ShellSyntaxError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  // pip splits requirement-file options with shlex.split: the same words, the same failures.
  const python = process.env.PYCONTAIN_ORACLE_PYTHON ?? 'python3';
  const hasPython = spawnSync(python, ['-c', 'import shlex'], { encoding: 'utf8' }).status === 0;
  it.runIf(hasPython)("agrees with Python's shlex.split (differential)", () => {
    const inputs = fc.sample(
      fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', "'", '"', '\\', '=', '-'), maxLength: 14 }),
      { numRuns: 3000, seed: 11 },
    );
    const code =
      'import json, shlex, sys\nout = []\nfor t in json.load(sys.stdin):\n    try:\n        out.append(shlex.split(t))\n    except ValueError:\n        out.append(None)\nprint(json.dumps(out))';
    const r = spawnSync(python, ['-c', code], { input: JSON.stringify(inputs), encoding: 'utf8' });
    const theirs = JSON.parse(r.stdout) as (string[] | null)[];
    const ours = inputs.map((t) => {
      try {
        return splitShellWords(t);
      } catch {
        return null;
      }
    });
    const differ = inputs.filter((_, i) => JSON.stringify(ours[i]) !== JSON.stringify(theirs[i]));
    expect(differ).toEqual([]);
  });
});

describe('simpleCommandArgv', () => {
  it('splits a simple command and refuses what needs a shell', () => {
    expect(simpleCommandArgv(`gunicorn "app:create_app()" --log-level 'info'`)).toEqual([
      'gunicorn',
      'app:create_app()',
      '--log-level',
      'info',
    ]);
    for (const t of ['a | b', 'a && b', 'a; b', 'a > f', '(a)', 'echo `id`', 'echo "`id`"', 'a "b'])
      expect(simpleCommandArgv(t)).toBeNull();
    expect(simpleCommandArgv("echo '|;&'")).toEqual(['echo', '|;&']);
  });

  it('refuses exactly the texts with an operator outside single quotes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', '|', ';', '&') }), { maxLength: 4 }),
        (argv) => {
          expect(simpleCommandArgv(argv.map(quote).join(' '))).toEqual(argv);
          const bare = argv.join(' ');
          expect(simpleCommandArgv(bare) === null).toBe(/[|;&]/.test(bare));
        },
      ),
    );
  });
});

// framework.ts still has its own copy (shellSplit), owned by another change: this pins that the two
// agree wherever POSIX leaves no doubt, so it can become `export { simpleCommandArgv as shellSplit }`.
// They differ only where framework.ts departs from POSIX: a backslash in double quotes before an
// ordinary character (kept here), and a final backslash (an error here).
describe("framework.ts's shellSplit", () => {
  it('agrees with simpleCommandArgv (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', "'", '|', ';', '=', '$', '(') }),
        (t) => {
          expect(simpleCommandArgv(t)).toEqual(shellSplit(t));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
