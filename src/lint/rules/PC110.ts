import {
  aptCalls,
  commandsOf,
  isDependencyInstall,
  PIP_OPTS_WITH_VALUE,
  pipInstalls,
  positionals,
} from '../helpers.js';
import { type Inst, isDistroless, rootImage } from '../model.js';
import { baseName } from '../shell.js';
import { distributionFor, STDLIB } from '../support/stdlib.js';
import type { Rule } from '../types.js';

function pythonCode(inst: Inst): { code: string; start: number; end: number } | null {
  const words = inst.exec ?? inst.commands[0]?.argv ?? [];
  if (words.length < 3 || !/python[\d.]*$/.test(words[0]!.value)) return null;
  const c = words.findIndex((w) => w.value === '-c');
  const code = c > 0 ? words[c + 1] : undefined;
  return code ? { code: code.value, start: code.start, end: code.end } : null;
}

function imports(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/(?:^|[;\n]|\s)import\s+([\w.]+(?:\s*,\s*[\w.]+)*)/g))
    for (const mod of m[1]!.split(',')) out.add(mod.trim().split('.')[0]!);
  for (const m of code.matchAll(/(?:^|[;\n]|\s)from\s+([\w.]+)\s+import\b/g)) out.add(m[1]!.split('.')[0]!);
  for (const m of code.matchAll(/__import__\(\s*['"]([\w.]+)['"]/g)) out.add(m[1]!.split('.')[0]!);
  return [...out].filter((m) => m.length > 0);
}

const norm = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

export const PC110: Rule = {
  id: 'PC110',
  name: 'healthcheck-missing-module',
  severity: 'error',
  usesProject: true,
  summary: 'The HEALTHCHECK uses a module or a tool the image does not contain',
  rationale:
    'A healthcheck like `python -c "import requests; ..."` or `curl -f ...` fails when `requests` or `curl` is not ' +
    'installed (python slim images have no curl, distroless has neither): the container is marked unhealthy and ' +
    'restarted forever although the application works. The standard library is always there.',
  fix: 'Use only the standard library: `python -c "import urllib.request,sys; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=3)"`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.0 gunicorn==22.0.0\nHEALTHCHECK CMD python -c "import requests; requests.get(\'http://localhost:8000/\').raise_for_status()"\n',
      'FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n',
      'FROM gcr.io/distroless/python3-debian12\nHEALTHCHECK CMD ["wget", "-q", "-O-", "http://localhost:8000/"]\n',
    ],
    good: [
      'FROM python:3.12-slim\nHEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/\')"]\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir requests==2.32.3\nHEALTHCHECK CMD python -c "import requests"\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -f http://localhost:8000/\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\nHEALTHCHECK CMD python -c "import httpx"\n',
      'FROM python:3.12\nHEALTHCHECK CMD curl -f http://localhost/\n',
    ],
  },
  check({ model, project, report }) {
    const final = model.final;
    if (!final) return;
    const chain = model.finalChain
      .slice()
      .reverse()
      .flatMap((s) => s.instructions);
    const hc = chain.filter((i) => i.keyword === 'HEALTHCHECK').at(-1);
    if (!hc) return;
    // Everything any used stage installs: the final image usually gets it through a copied venv.
    const used = model.stages.filter((s) => s.used).flatMap((s) => s.instructions);
    const py = pythonCode(hc);
    if (py) {
      const installed = new Set<string>();
      let opaque = false;
      for (const i of used) {
        if (i.keyword !== 'RUN') continue;
        if (isDependencyInstall(i)) opaque = true;
        for (const call of pipInstalls(i, { uv: true }))
          for (const w of positionals(call.rest, PIP_OPTS_WITH_VALUE)) {
            const m = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(w.value);
            if (m) installed.add(norm(m[0]));
          }
      }
      if (project?.plan) {
        for (const d of project.plan.dependencies) if (!d.group) installed.add(norm(d.name));
        opaque = false;
      }
      for (const mod of imports(py.code)) {
        if (STDLIB.has(mod)) continue;
        const dists = distributionFor(mod).map(norm);
        if (dists.some((d) => installed.has(d))) continue;
        if (opaque) continue;
        report({
          start: py.start,
          end: py.end,
          message: `the healthcheck imports '${mod}', which the image does not install`,
        });
      }
      return;
    }
    const words = hc.exec ?? hc.commands[0]?.argv ?? [];
    const tool = baseName(words[0]);
    if (tool !== 'curl' && tool !== 'wget') return;
    const img = rootImage(final);
    const slim = isDistroless(img) || /slim|alpine/.test(img.tag ?? '') || img.name.includes('distroless');
    if (!slim) return;
    if (tool === 'wget' && /alpine/.test(img.tag ?? '') && !isDistroless(img)) return;
    for (const i of chain) {
      if (i.keyword !== 'RUN') continue;
      for (const c of aptCalls(i, ['install'])) if (c.rest.some((w) => w.value === tool)) return;
      for (const { argv } of commandsOf(i))
        if (baseName(argv[0]) === 'apk' && argv.some((w) => w.value === tool)) return;
    }
    report({
      start: words[0]!.start,
      end: words[0]!.end,
      message: `the healthcheck runs '${tool}', which '${img.resolved}' does not contain and no RUN installs`,
    });
  },
};
