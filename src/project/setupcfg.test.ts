import { describe, expect, it } from 'vitest';
import { parseIni, parseSetupCfg, scanSetupPy } from './setupcfg.js';

describe('setup.cfg', () => {
  const text = `[metadata]
name = ticker
version = file: VERSION
long_description = file: README.rst, CHANGES.rst
# a comment

[options]
packages = find:
python_requires = >=3.10
install_requires =
    requests>=2.31
    lxml>=5.0 ; platform_system != "Windows"  # inline comment

[options.extras_require]
pg = psycopg2>=2.9

[options.entry_points]
console_scripts =
    ticker = ticker.cli:main
    ticker-admin=ticker.admin:run
`;
  it('reads metadata, requirements with lines, extras, scripts and file: directives', () => {
    const m = parseSetupCfg(text, 'setup.cfg');
    expect(m.name).toBe('ticker');
    expect(m.pythonRequires).toEqual({ spec: '>=3.10', line: 9 });
    expect(m.installRequires).toEqual([
      { text: 'requests>=2.31', line: 11 },
      { text: 'lxml>=5.0 ; platform_system != "Windows"', line: 12 },
    ]);
    expect(m.extrasRequire.pg).toEqual([{ text: 'psycopg2>=2.9', line: 15 }]);
    expect(m.scripts).toEqual({ ticker: 'ticker.cli:main', 'ticker-admin': 'ticker.admin:run' });
    expect(m.files).toEqual(['README.rst', 'CHANGES.rst', 'VERSION']);
  });
  it('parses ini keys case-insensitively with : or =', () => {
    expect(parseIni('[a]\nKey-Name: v\n').a?.key_name?.value).toBe('v');
  });
});

describe('setup.py literals', () => {
  it('finds python_requires, install_requires, console_scripts and opened files', () => {
    const m = scanSetupPy(
      `import os
from setuptools import setup, find_packages
here = os.path.dirname(__file__)
setup(
    name="legacy-app",
    long_description=open(os.path.join(here, "README.md")).read(),
    python_requires=">=3.8",
    install_requires=[
        "flask>=2.0",
        'gunicorn',
    ],
    entry_points={"console_scripts": ["legacy = legacy.main:cli"]},
)
`,
      'setup.py',
    );
    expect(m.name).toBe('legacy-app');
    expect(m.pythonRequires).toEqual({ spec: '>=3.8', line: 7 });
    expect(m.installRequires).toEqual([
      { text: 'flask>=2.0', line: 9 },
      { text: 'gunicorn', line: 10 },
    ]);
    expect(m.scripts).toEqual({ legacy: 'legacy.main:cli' });
    expect(m.files).toEqual(['README.md']);
  });
});
