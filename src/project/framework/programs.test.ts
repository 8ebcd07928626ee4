import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, deps, detect } from './testing.js';

afterAll(cleanup);

const guard = (body: string) => `\nif __name__ == "__main__":\n    ${body}\n`;

describe('program scripts (no app, launcher or console script)', () => {
  it('a bot script in a plain subdirectory runs as a file, with no entrypoint', async () => {
    const r = await detect(
      {
        'bot/main.py': `from helper import make_bot\n\ndef main():\n    make_bot().run_polling()\n${guard('main()')}`,
        'bot/helper.py': 'def make_bot():\n    return None\n',
      },
      deps('python-telegram-bot'),
    );
    expect(r.command).toEqual(['python', 'bot/main.py']);
    expect(r.entrypoint).toBeNull();
    expect(r.warnings.map((w) => w.code)).not.toContain('no-entrypoint');
    expect(r.decisions.find((d) => d.topic === 'command')?.source).toEqual({ file: 'bot/main.py', line: 6 });
  });

  it('a script in a package that imports relatively runs as a module', async () => {
    const r = await detect(
      {
        'svc/__init__.py': '',
        'svc/worker.py': `from .jobs import loop\n${guard('loop()')}`,
        'svc/jobs.py': 'def loop():\n    pass\n',
      },
      [],
    );
    expect(r.command).toEqual(['python', '-m', 'svc.worker']);
  });

  it('a script that only calls another top-level script is an alias of it', async () => {
    const r = await detect(
      {
        'Tracker.py': `def main():\n    pass\n${guard('main()')}`,
        'Alias.py': `from Tracker import main\n${guard('main()')}`,
      },
      [],
    );
    expect(r.command).toEqual(['python', 'Tracker.py']);
  });

  it('scripts under scripts/ and vendored lib/ are not the program; __main__.py of lib/x is not either', async () => {
    const r = await detect(
      {
        'scripts/release.py': guard('print(1)'),
        'lib/__init__.py': '',
        'lib/vendored/__init__.py': '',
        'lib/vendored/__main__.py': 'print(1)\n',
        'daemon.py': `def main():\n    pass\n${guard('main()')}`,
      },
      [],
    );
    expect(r.framework).toBe('unknown');
    expect(r.command).toEqual(['python', 'daemon.py']);
  });

  it('shallow first, then named like a program', async () => {
    const r = await detect(
      {
        'zeta.py': guard('print(1)'),
        'run.py': guard('print(1)'),
        'pkg/main.py': guard('print(1)'),
      },
      [],
    );
    expect(r.command).toEqual(['python', 'run.py']);
  });
});

describe('console script of a project the image does not install', () => {
  const files = {
    'tool/__init__.py': '',
    'tool/__main__.py': 'def main():\n    pass\n',
    'Legacy.py': `from tool.__main__ import main\n${guard('main()')}`,
    'start.py': `from tool.__main__ import main\n${guard('main()')}`,
  };
  const scripts = { tool: 'tool.__main__:main' };

  it('runs the top-level script that calls the same function, named like a program first', async () => {
    const r = await detect(files, [], { scripts, projectInstalled: false });
    expect(r.command).toEqual(['python', 'start.py']);
    const d = r.decisions.find((x) => x.topic === 'command');
    expect(d?.reason).toMatch(/not installed/);
    expect(d?.source).toEqual({ file: 'start.py', line: 3 });
  });

  it('keeps the console script when the project is installed', async () => {
    const r = await detect(files, [], { scripts, projectInstalled: true });
    expect(r.command).toEqual(['tool']);
  });
});
