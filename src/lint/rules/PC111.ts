import type { Inst } from '../model.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

function devServer(words: { value: string }[]): string | null {
  const v = words.map((w) => w.value);
  const name = baseName(words[0]);
  const has = (x: string) => v.includes(x);
  if (v.some((x) => /(^|\/)manage\.py$/.test(x)) && has('runserver'))
    return 'manage.py runserver (Django development server)';
  if (name === 'django-admin' && has('runserver'))
    return 'django-admin runserver (Django development server)';
  if ((name === 'flask' || (/^python[\d.]*$/.test(name) && v[1] === '-m' && v[2] === 'flask')) && has('run'))
    return 'flask run (Werkzeug development server)';
  if (
    (name === 'uvicorn' || name === 'gunicorn' || name === 'hypercorn') &&
    (has('--reload') || v.some((x) => x.startsWith('--reload=')))
  )
    return `${name} --reload (reloader for development)`;
  return null;
}

function startCommands(inst: Inst): { value: string }[][] {
  if (inst.exec) return [inst.exec];
  return inst.commands.filter((c) => c.argv.length > 0).map((c) => c.argv);
}

export const PC111: Rule = {
  id: 'PC111',
  name: 'dev-server-in-image',
  severity: 'warning',
  summary: 'The image starts a development server (`manage.py runserver`, `flask run`, `--reload`)',
  rationale:
    "Django's runserver and Flask's Werkzeug server say it themselves: not for production. They serve one request " +
    'at a time or without worker management, have debug features, and are not hardened. `--reload` watches the ' +
    'file system and restarts the app on changes, which an image never has and which costs CPU.',
  fix: 'Run a production server: `gunicorn --bind 0.0.0.0:8000 project.wsgi:application`, `gunicorn app:app`, or `uvicorn app.main:app --host 0.0.0.0` without `--reload`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n',
      'FROM python:3.12-slim\nCMD python manage.py migrate && python manage.py runserver 0.0.0.0:8000\n',
      'FROM python:3.12-slim\nCMD ["flask", "run", "--host=0.0.0.0"]\n',
      'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]\n',
    ],
    good: [
      'FROM python:3.12-slim\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi:application"]\n',
      'FROM python:3.12-slim AS dev\nCMD ["flask", "run"]\nFROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n',
      'FROM python:3.12-slim\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n',
    ],
  },
  check({ model, report }) {
    const chain = model.finalChain
      .slice()
      .reverse()
      .flatMap((s) => s.instructions);
    for (const k of ['CMD', 'ENTRYPOINT']) {
      const inst = chain.filter((i) => i.keyword === k).at(-1);
      if (!inst) continue;
      for (const words of startCommands(inst)) {
        const what = devServer(words);
        if (what) report({ start: inst.start, end: inst.end, message: `the image starts ${what}` });
      }
    }
  },
};
