/** The Django candidate: a production server for the project's WSGI (or ASGI) application. */
import type { FwSpec } from '../framework-data.js';
import type { Candidate } from './candidate.js';
import type { Ctx } from './context.js';
import { detectDjango } from './django.js';

export async function djangoCandidate(ctx: Ctx): Promise<Candidate | null> {
  const { data, files, facts, have, src, decisions, base } = ctx;
  const candidates: Candidate[] = [];
  // Django first: manage.py (at the app dir or one level down).
  const django = await detectDjango(base, files, facts, src);
  if (django) {
    const spec = data.frameworks.django as FwSpec;
    const asgiOnly = !django.wsgiModule && !!django.asgiModule;
    const wantsAsgi = !!django.asgiModule && (have.has('channels') || have.has('daphne') || asgiOnly);
    const server = ctx.servers.pick(spec, { asgi: wantsAsgi });
    // A handler module found by its get_wsgi_application() call carries its variable ('server:app').
    const withName = (mod: string, dotted: string | undefined) =>
      mod.includes(':') ? mod : `${mod}:${dotted?.split('.').pop() ?? 'application'}`;
    const target = wantsAsgi
      ? withName(django.asgiModule as string, django.info.asgiApplication)
      : withName(
          django.wsgiModule ?? `${django.info.settingsModule.split('.')[0]}.wsgi`,
          django.info.wsgiApplication,
        );
    const health = ctx.healthFor(
      null,
      null,
      django.urls ? [django.urls] : files.filter((f) => /(^|\/)urls\.py$/.test(f.rel)),
    );
    candidates.push({
      framework: 'django',
      score: 130,
      file: django.anchor.rel,
      line: django.anchor.line ?? 1,
      describe: `Django project (settings ${django.info.settingsModule}${django.info.managePy ? '' : ', no manage.py'})`,
      module: target.split(':')[0] as string,
      importRoot: django.dir,
      port: spec.port,
      health: health?.path ?? spec.healthcheckPath,
      ...(health ? { healthSource: health.source } : {}),
      env: { DJANGO_SETTINGS_MODULE: django.info.settingsModule },
      django: django.info,
      build: (port) => ({
        command: ctx.servers.command(server, { target, port: String(port) }, django.dir),
        entrypoint: target,
        server,
      }),
    });
    decisions.push({
      topic: 'django',
      value: `settings ${django.info.settingsModule}${django.info.staticRoot ? `, STATIC_ROOT ${django.info.staticRoot}` : ''}`,
      reason:
        (django.note ? `${django.note}; ` : '') +
        (django.info.staticRoot
          ? 'STATIC_ROOT is set, so static files are collected at build time'
          : 'no STATIC_ROOT: nothing to collect at build time'),
      source: django.settingsSource,
    });
    if (django.uncollected)
      ctx.warnings.push({
        code: 'django-static-uncollected',
        message: `STATIC_ROOT is set (${django.uncollected.value ?? '?'}) but the project has no manage.py, so the build does not run collectstatic; serve static files another way or add manage.py`,
        source: django.uncollected.source,
      });
  }
  return candidates[0] ?? null;
}
