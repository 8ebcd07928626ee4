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
    const target = wantsAsgi
      ? `${django.asgiModule}:${django.info.asgiApplication?.split('.').pop() ?? 'application'}`
      : `${django.wsgiModule ?? `${django.info.settingsModule.split('.')[0]}.wsgi`}:${django.info.wsgiApplication?.split('.').pop() ?? 'application'}`;
    const health = ctx.healthFor(
      null,
      null,
      django.urls ? [django.urls] : files.filter((f) => /(^|\/)urls\.py$/.test(f.rel)),
    );
    candidates.push({
      framework: 'django',
      score: 130,
      file: django.info.managePy,
      line: 1,
      describe: `Django project (settings ${django.info.settingsModule})`,
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
  }
  return candidates[0] ?? null;
}
