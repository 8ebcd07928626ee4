import { afterAll, expect, it } from 'vitest';
import { cleanup, deps, detect } from './testing.js';

afterAll(cleanup);

it('sample apps under examples/ are not the project', async () => {
  const r = await detect(
    {
      'hub/__init__.py': '',
      'hub/app.py': 'def main():\n    pass\n',
      'examples/service/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
    },
    deps('fastapi', 'uvicorn'),
    { scripts: { hub: 'hub.app:main' }, projectName: 'hub' },
  );
  expect(r.framework).toBe('cli');
  expect(r.command).toEqual(['hub']);
});

it('vendored libraries are not the project; an app package named lib is', async () => {
  const r = await detect(
    {
      'hub/__init__.py': '',
      'hub/app.py': 'def main():\n    pass\n',
      'ext/service/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'vendor/web/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
    },
    deps('fastapi', 'uvicorn'),
    { scripts: { hub: 'hub.app:main' }, projectName: 'hub' },
  );
  expect(r.framework).toBe('cli');
  const own = await detect(
    { 'lib/__init__.py': '', 'lib/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
    deps('fastapi', 'uvicorn'),
  );
  expect(own.framework).toBe('fastapi');
  expect(own.entrypoint).toBe('lib.app:app');
});
