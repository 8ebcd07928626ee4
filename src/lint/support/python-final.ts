import type { Inst } from '../model.js';

const PY_RUNNERS =
  /(^|\/)(python[\d.]*|gunicorn|uvicorn|hypercorn|daphne|celery|flask|streamlit|uwsgi|granian|fastapi|django-admin)$/;

/** The instructions' CMD/ENTRYPOINT start Python, or they copy a virtualenv in. */
export function finalRunsPython(insts: Inst[]): boolean {
  for (const i of insts) {
    if (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') {
      const first = i.exec?.[0]?.value ?? i.commands[0]?.argv[0]?.value ?? '';
      if (PY_RUNNERS.test(first)) return true;
    }
    if (i.keyword === 'COPY' && i.args.some((a) => /venv|site-packages/.test(a.value))) return true;
  }
  return false;
}
