import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDockerignore,
  compileDockerignore,
  gitignoreLineToDockerignore,
  parseDockerignore,
  renderDockerignore,
} from './dockerignore.js';
import { renderDockerfile } from './render.js';
import { testPlan } from './testing.js';

describe('compileDockerignore: Docker semantics', () => {
  it('anchors patterns at the context root (unlike .gitignore)', () => {
    const ex = compileDockerignore('*.pyc\n');
    expect(ex('a.pyc')).toBe(true);
    expect(ex('pkg/a.pyc')).toBe(false);
  });

  it('`**/` matches at any depth, zero directories included', () => {
    const ex = compileDockerignore('**/*.pyc\n**/__pycache__\n');
    expect(ex('a.pyc')).toBe(true);
    expect(ex('x/y/z/a.pyc')).toBe(true);
    expect(ex('__pycache__/m.cpython-311.pyc')).toBe(true);
    expect(ex('pkg/__pycache__/m.cpython-311.pyc')).toBe(true);
    expect(ex('pkg/a.py')).toBe(false);
  });

  it('`**` in the middle and at the end', () => {
    const ex = compileDockerignore('docs/**/*.md\nbuild/**\n');
    expect(ex('docs/a.md')).toBe(true);
    expect(ex('docs/x/y/a.md')).toBe(true);
    expect(ex('a.md')).toBe(false);
    expect(ex('build/lib/x.py')).toBe(true);
  });

  it('`*` and `?` do not cross directories', () => {
    const ex = compileDockerignore('src/*.py\nfile?.txt\n');
    expect(ex('src/a.py')).toBe(true);
    expect(ex('src/pkg/a.py')).toBe(false);
    expect(ex('file1.txt')).toBe(true);
    expect(ex('file10.txt')).toBe(false);
    expect(ex('dir/file1.txt')).toBe(false);
  });

  it('an excluded directory excludes everything below it', () => {
    const ex = compileDockerignore('node_modules\n');
    expect(ex('node_modules')).toBe(true);
    expect(ex('node_modules/a/b.js')).toBe(true);
    expect(ex('node_modules2/a.js')).toBe(false);
  });

  it('`!` re-includes, and the last matching pattern wins', () => {
    const ex = compileDockerignore('*.md\n!README*.md\nREADME-secret.md\n');
    expect(ex('CHANGES.md')).toBe(true);
    expect(ex('README.md')).toBe(false);
    expect(ex('README-secret.md')).toBe(true);
  });

  it('`!` re-includes a file inside an excluded directory', () => {
    const ex = compileDockerignore('docs\n!docs/README.md\n');
    expect(ex('docs/index.md')).toBe(true);
    expect(ex('docs/README.md')).toBe(false);
  });

  it('a leading / and ./, trailing slashes and doubled slashes are cleaned', () => {
    const ex = compileDockerignore('/build/\n./dist//\n');
    expect(ex('build')).toBe(true);
    expect(ex('build/x')).toBe(true);
    expect(ex('dist/a.whl')).toBe(true);
    expect(ex('src/build')).toBe(false);
  });

  it('comments, blank lines, surrounding spaces; `#` only at line start', () => {
    const ex = compileDockerignore('# comment\n\n   .env   \n \t\n');
    expect(ex('.env')).toBe(true);
    expect(ex('# comment')).toBe(false);
    expect(parseDockerignore('# c\n  x\n!y\n')).toEqual([
      { pattern: 'x', negate: false, line: 2 },
      { pattern: 'y', negate: true, line: 3 },
    ]);
  });

  it('character classes and escapes', () => {
    const ex = compileDockerignore('*.py[cod]\n\\!important\nfile\\*\n');
    expect(ex('a.pyc')).toBe(true);
    expect(ex('a.pyo')).toBe(true);
    expect(ex('a.pyx')).toBe(false);
    expect(ex('!important')).toBe(true);
    expect(ex('file*')).toBe(true);
    expect(ex('file1')).toBe(false);
  });

  it('regex metacharacters in names are literal', () => {
    const ex = compileDockerignore('a+b(1).txt\n$x\n');
    expect(ex('a+b(1).txt')).toBe(true);
    expect(ex('aab1.txt')).toBe(false);
    expect(ex('$x')).toBe(true);
  });

  it('never throws on arbitrary pattern text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), (text, p) => {
        const ex = compileDockerignore(text);
        expect(typeof ex(p)).toBe('boolean');
      }),
    );
  });

  it('a pattern always matches its own literal path (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const p = parts.filter((x) => x !== '.' && x !== '..').join('/');
          if (!p) return;
          expect(compileDockerignore(`${p}\n`)(p)).toBe(true);
          expect(compileDockerignore(`${p}\n!${p}\n`)(p)).toBe(false);
        },
      ),
    );
  });
});

describe('gitignore -> dockerignore', () => {
  it('unanchored gitignore patterns match at any depth', () => {
    expect(gitignoreLineToDockerignore('*.pyc')).toBe('**/*.pyc');
    expect(gitignoreLineToDockerignore('__pycache__/')).toBe('**/__pycache__');
  });
  it('anchored ones stay at their place; negations and escapes survive', () => {
    expect(gitignoreLineToDockerignore('/build')).toBe('build');
    expect(gitignoreLineToDockerignore('docs/_build/')).toBe('docs/_build');
    expect(gitignoreLineToDockerignore('!keep.log')).toBe('!**/keep.log');
    expect(gitignoreLineToDockerignore('\\#notacomment')).toBe('**/#notacomment');
    expect(gitignoreLineToDockerignore('# comment')).toBeNull();
    expect(gitignoreLineToDockerignore('   ')).toBeNull();
  });
  it('a nested .gitignore is rebased on its directory', () => {
    expect(gitignoreLineToDockerignore('*.log', 'backend')).toBe('backend/**/*.log');
  });
});

const poetryPlan = () =>
  testPlan({
    packageManager: 'poetry',
    lockfile: 'poetry.lock',
    manifests: ['pyproject.toml', 'poetry.lock', 'README.md'],
    installProject: true,
  });

describe("the seed's failing case: Poetry + readme = README.md + an ignore file excluding *.md", () => {
  it('checkDockerignore reports the README the build needs', () => {
    const plan = poetryPlan();
    const dockerfile = renderDockerfile(plan);
    const seedIgnore = '# Documentation\nREADME.md\n*.md\ndocs/\nlib/\n';
    const problems = checkDockerignore(plan, seedIgnore, dockerfile);
    expect(problems.map((p) => p.file)).toEqual(['README.md']);
    expect(problems[0]?.reason).toMatch(/readme/i);
  });

  it('renderDockerignore re-includes it when .gitignore would exclude it, and the check passes', () => {
    const plan = poetryPlan();
    const dockerfile = renderDockerfile(plan);
    const text = renderDockerignore(plan, '*.md\n.venv/\n', dockerfile);
    expect(text).toContain('**/*.md');
    expect(text).toContain('!README.md');
    expect(checkDockerignore(plan, text, dockerfile)).toEqual([]);
    expect(compileDockerignore(text)('CHANGES.md')).toBe(true);
  });
});

describe('renderDockerignore', () => {
  const plan = testPlan();
  const text = renderDockerignore(plan, null, renderDockerfile(plan));
  const ex = compileDockerignore(text);

  it('keeps top-level test suites out of the image, but not a tests package inside the app', () => {
    expect(ex('tests/test_api.py')).toBe(true);
    expect(ex('test/conftest.py')).toBe(true);
    expect(ex('.github/workflows/ci.yml')).toBe(true);
    expect(ex('blog/tests/__init__.py')).toBe(false);
  });

  it('excludes Python litter, venvs, secrets, VCS, node_modules and Dockerfiles', () => {
    for (const p of [
      '.git/HEAD',
      'app/__pycache__/main.cpython-311.pyc',
      'app/x.pyc',
      '.venv/bin/python',
      'venv/lib/x.py',
      '.env',
      'config/.env.production',
      '.pytest_cache/v',
      '.mypy_cache/x',
      '.tox/py311',
      'node_modules/x/index.js',
      'frontend/node_modules/x.js',
      'Dockerfile',
      'build/lib/app.py',
      'dist/app-1.0.whl',
      'app.egg-info/PKG-INFO',
      '.netrc',
    ]) {
      expect(ex(p), p).toBe(true);
    }
  });

  it('keeps code, manifests, lib/ packages and READMEs by default', () => {
    for (const p of [
      'app/main.py',
      'requirements.txt',
      'lib/util.py',
      'pkg/lib/x.py',
      'README.md',
      'manage.py',
      'static/site.css',
    ]) {
      expect(ex(p), p).toBe(false);
    }
    expect(text).not.toMatch(/^lib\/?$/m);
    expect(text).not.toMatch(/^\*\.md$/m);
  });

  it('adds what .gitignore excludes', () => {
    const t = renderDockerignore(plan, '*.csv\nsecrets/\n/local_settings.py\n', null);
    const e = compileDockerignore(t);
    expect(e('data/x.csv')).toBe(true);
    expect(e('secrets/key')).toBe(true);
    expect(e('local_settings.py')).toBe(true);
    expect(e('app/local_settings.py')).toBe(false);
  });

  it('re-includes a manifest .gitignore would exclude (requirements*.txt ignored)', () => {
    const df = renderDockerfile(plan);
    const t = renderDockerignore(plan, 'requirements*.txt\n', df);
    expect(checkDockerignore(plan, t, df)).toEqual([]);
    expect(t).toContain('!requirements.txt');
  });

  it('monorepo: build artefacts anchored under the app dir, the copied dir itself checked', () => {
    const mono = testPlan({
      appDir: 'backend',
      manifests: ['backend/requirements.txt'],
      requirementsFile: 'backend/requirements.txt',
    });
    const df = renderDockerfile(mono);
    const t = renderDockerignore(mono, null, df);
    const e = compileDockerignore(t);
    expect(e('backend/build/x')).toBe(true);
    expect(e('backend/app.py')).toBe(false);
    expect(checkDockerignore(mono, 'backend\n', df).map((p) => p.file)).toContain('backend');
  });

  it('checkDockerignore also names the script the command runs and manage.py', () => {
    const p = testPlan({
      command: ['streamlit', 'run', 'dashboard.py'],
      django: { settingsModule: 's.settings', staticRoot: null, managePy: 'manage.py' },
    });
    const problems = checkDockerignore(p, 'dashboard.py\nmanage.py\n', renderDockerfile(p));
    expect(problems.map((x) => x.file).sort()).toEqual(['dashboard.py', 'manage.py']);
  });
});
