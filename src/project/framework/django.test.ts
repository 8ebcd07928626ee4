import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codes, deps, detect } from './testing.js';

afterAll(cleanup);

const settings = 'INSTALLED_APPS = ["django.contrib.admin"]\nROOT_URLCONF = "shop.urls"\n';
const wsgi = (mod: string) =>
  `import os\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "${mod}")\napplication = get_wsgi_application()\n`;

describe('Django projects without manage.py', () => {
  it('wsgi.py setting DJANGO_SETTINGS_MODULE -> gunicorn shop.wsgi:application', async () => {
    const r = await detect(
      { 'shop/__init__.py': '', 'shop/settings.py': settings, 'shop/wsgi.py': wsgi('shop.settings') },
      deps('django', 'gunicorn'),
    );
    expect(r.framework).toBe('django');
    expect(r.command).toEqual(['gunicorn', 'shop.wsgi:application', '--bind', '0.0.0.0:8000']);
    expect(r.env.DJANGO_SETTINGS_MODULE).toBe('shop.settings');
    expect(r.django).toMatchObject({ settingsModule: 'shop.settings', managePy: '' });
    expect(r.decisions.find((d) => d.topic === 'framework')).toMatchObject({
      reason: 'found Django project (settings shop.settings, no manage.py)',
      source: { file: 'shop/wsgi.py', line: 4 },
    });
  });

  it('a command-line wrapper assigns os.environ[...] and a module calls get_wsgi_application()', async () => {
    const r = await detect(
      {
        'tracker/__init__.py': '',
        'tracker/conf.py': 'INSTALLED_APPS = []\nSTATIC_ROOT = "/srv/static"\n',
        'tracker/cli.py':
          'import os\nimport sys\n\ndef main():\n    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.conf"\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n',
        'tracker/serve.py':
          'from django.core.wsgi import get_wsgi_application\n\napp = get_wsgi_application()\n',
      },
      deps('django', 'gunicorn'),
    );
    expect(r.framework).toBe('django');
    expect(r.command).toEqual(['gunicorn', 'tracker.serve:app', '--bind', '0.0.0.0:8000']);
    expect(r.env.DJANGO_SETTINGS_MODULE).toBe('tracker.conf');
    // Without manage.py the build cannot collect static files: said, not silently dropped.
    expect(r.django?.staticRoot).toBeNull();
    expect(codes(r)).toEqual(['django-static-uncollected']);
    expect(r.warnings[0]?.source).toEqual({ file: 'tracker/conf.py', line: 2 });
  });

  it('settings named by a module that does not exist do not make a Django project', async () => {
    const r = await detect(
      { 'tool.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "nowhere.settings")\n' },
      deps('django'),
    );
    expect(r.framework).not.toBe('django');
  });

  it('ASGI only: get_asgi_application -> uvicorn', async () => {
    const r = await detect(
      {
        'site/__init__.py': '',
        'site/settings.py': settings,
        'site/asgi.py':
          'import os\nfrom django.core.asgi import get_asgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\napplication = get_asgi_application()\n',
      },
      deps('django', 'uvicorn'),
    );
    expect(r.command).toEqual(['uvicorn', 'site.asgi:application', '--host', '0.0.0.0', '--port', '8000']);
  });
});

describe('Django under src/ and nested project directories', () => {
  it('manage.py at the top, the project under src/ -> --chdir src', async () => {
    const r = await detect(
      {
        'manage.py':
          'import os, sys\nsys.path.insert(0, "src")\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\nfrom django.core.management import execute_from_command_line\n',
        'src/shop/__init__.py': '',
        'src/shop/settings.py': settings,
        'src/shop/wsgi.py': wsgi('shop.settings'),
      },
      deps('django', 'gunicorn'),
    );
    expect(r.command).toEqual([
      'gunicorn',
      '--chdir',
      'src',
      'shop.wsgi:application',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(r.django?.managePy).toBe('manage.py');
  });

  it('manage.py two levels down (backend/project/manage.py)', async () => {
    const r = await detect(
      {
        'backend/project/manage.py':
          'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")\nimport django\n',
        'backend/project/core/__init__.py': '',
        'backend/project/core/settings.py': 'INSTALLED_APPS = []\nSTATIC_ROOT = "static"\n',
        'backend/project/core/wsgi.py': wsgi('core.settings'),
      },
      deps('django', 'gunicorn'),
    );
    expect(r.command).toEqual([
      'gunicorn',
      '--chdir',
      'backend/project',
      'core.wsgi:application',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(r.django).toMatchObject({
      managePy: 'backend/project/manage.py',
      staticRoot: 'backend/project/static',
    });
  });
});
