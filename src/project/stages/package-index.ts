import type { IndexConfig, Source } from '../../plan.js';
import type { FileOverrides } from '../overrides.js';
import type { PyProject } from '../pyproject.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import { nthLine } from './files.js';
import type { ManifestStage } from './manifests.js';

/** The BuildKit secret id that carries index credentials (a netrc file or `user:token`). */
export const INDEX_SECRET_ID = 'pip-index';

const PYPI_URLS = new Set([
  'https://pypi.org/simple',
  'https://pypi.python.org/simple',
  'https://pypi.org/pypi',
]);

/** Hosts of hosted private registries that always require authentication. */
const PRIVATE_REGISTRY_HOSTS = [
  /\.jfrog\.io$/,
  /(^|\.)pkgs\.dev\.azure\.com$/,
  /\.pkg\.dev$/,
  /\.codeartifact\.[a-z0-9-]+\.amazonaws\.com$/,
  /^gitlab\.com$/,
  /\.cloudsmith\.io$/,
  /^pypi\.fury\.io$/,
  /^maven\.pkg\.github\.com$/,
];

interface IndexSource {
  url: string;
  role: 'primary' | 'extra';
  source: Source;
  label: string;
}

/** Strip credentials out of an index URL: they must never reach the Dockerfile. */
function cleanIndexUrl(raw: string): { url: string; credentials: boolean } {
  const credentials = /\$\{?[A-Za-z_]/.test(raw) || /^[a-z+]+:\/\/[^/@]+@/i.test(raw);
  let url = raw.replace(/^([a-z+]+:\/\/)[^/@]+@/i, '$1');
  url = url.replace(/\/+$/, '');
  return { url, credentials };
}

function isPypi(url: string): boolean {
  return PYPI_URLS.has(url.replace(/\/+$/, ''));
}

function uvIndexes(pp: PyProject): IndexSource[] {
  const out: IndexSource[] = [];
  for (const [i, ix] of (pp.uv?.index ?? []).entries()) {
    if (ix.explicit) continue; // only used for packages pinned to it in [tool.uv.sources]
    out.push({
      url: ix.url,
      role: ix.default ? 'primary' : 'extra',
      source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.uv\.index\s*\]\]/, i) },
      label: `[[tool.uv.index]] ${ix.name ?? ix.url}`,
    });
  }
  if (pp.uv?.['index-url'])
    out.push({
      url: pp.uv['index-url'],
      role: 'primary',
      source: { file: pp.file, line: pp.line('tool.uv', 'index-url') },
      label: '[tool.uv] index-url',
    });
  for (const u of pp.uv?.['extra-index-url'] ?? [])
    out.push({
      url: u,
      role: 'extra',
      source: { file: pp.file, line: pp.line('tool.uv', 'extra-index-url') },
      label: '[tool.uv] extra-index-url',
    });
  return out;
}

function poetryIndexes(pp: PyProject): IndexSource[] {
  const out: IndexSource[] = [];
  for (const [i, s] of (pp.poetry?.source ?? []).entries()) {
    if (!s.url) continue;
    const prio = s.priority ?? (s.default ? 'default' : s.secondary ? 'secondary' : 'primary');
    if (prio === 'explicit') continue;
    out.push({
      url: s.url,
      role:
        prio === 'primary' || prio === 'default'
          ? out.some((o) => o.role === 'primary')
            ? 'extra'
            : 'primary'
          : 'extra',
      source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.poetry\.source\s*\]\]/, i) },
      label: `[[tool.poetry.source]] ${s.name}`,
    });
  }
  return out;
}

function pdmIndexes(pp: PyProject): IndexSource[] {
  return (pp.pdm?.source ?? []).map(
    (s, i): IndexSource => ({
      url: s.url,
      role: s.name === 'pypi' ? 'primary' : 'extra',
      source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.pdm\.source\s*\]\]/, i) },
      label: `[[tool.pdm.source]] ${s.name}`,
    }),
  );
}

function pyprojectIndexes(pp: PyProject | null, manager: string): IndexSource[] {
  if (!pp) return [];
  if (manager === 'uv') return uvIndexes(pp);
  if (manager === 'poetry') return poetryIndexes(pp);
  if (manager === 'pdm') return pdmIndexes(pp);
  return [];
}

/** Every index the project's manager configuration names, in the order the manager reads them. */
function indexSources({ appPy, ws }: AppStage, { pm, pipfile, req }: ManifestStage): IndexSource[] {
  const out: IndexSource[] = [...pyprojectIndexes(appPy, pm.manager)];
  if (ws && ws.pyproject !== appPy) out.push(...pyprojectIndexes(ws.pyproject, pm.manager));
  if (pm.manager === 'pipenv' && pipfile) {
    for (const [i, s] of pipfile.sources.entries()) {
      out.push({
        url: s.url,
        role: i === 0 ? 'primary' : 'extra',
        source: { file: pipfile.file, line: nthLine(pipfile.text, /^\s*\[\[\s*source\s*\]\]/, i) },
        label: `Pipfile [[source]] ${s.name ?? s.url}`,
      });
    }
  }
  if (req && (pm.manager === 'pip' || pm.manager === 'pip-tools')) {
    if (req.options.indexUrl)
      out.push({
        url: req.options.indexUrl,
        role: 'primary',
        source: { file: req.file },
        label: `${req.file} --index-url`,
      });
    for (const u of req.options.extraIndexUrls)
      out.push({ url: u, role: 'extra', source: { file: req.file }, label: `${req.file} --extra-index-url` });
  }
  return out;
}

/** --index-url / --extra-index-url (or [tool.pycontain]) replace what the project configures. */
function effectiveIndexes(sources: IndexSource[], { merged, overrideSources }: AppStage) {
  const cmdline = (k: keyof FileOverrides['sources']) => overrideSources[k] ?? { file: '(command line)' };
  const primary: IndexSource | undefined =
    merged.indexUrl !== undefined
      ? { url: merged.indexUrl, role: 'primary', source: cmdline('indexUrl'), label: '--index-url' }
      : sources.find((s) => s.role === 'primary');
  const extras: IndexSource[] =
    merged.extraIndexUrls !== undefined
      ? merged.extraIndexUrls.map((u) => ({
          url: u,
          role: 'extra',
          source: cmdline('extraIndexUrls'),
          label: '--extra-index-url',
        }))
      : sources.filter((s) => s.role === 'extra');
  return { primary, extras };
}

/**
 * Stage 6: the index configuration. Credentials are needed when a URL carries user info or a
 * `${VAR}`, or points at a hosted private registry that always authenticates (Artifactory, Azure
 * Artifacts, Artifact Registry, CodeArtifact, GitLab, Cloudsmith, Gemfury). Credentials are stripped
 * from the URL and must come from the BuildKit secret `pip-index` (a netrc file); the generated
 * Dockerfile mounts it optionally, so a mirror that needs no credentials still builds without `--secret`.
 */
export function chooseIndex(app: AppStage, files: ManifestStage, log: DecisionCollector): IndexConfig {
  const { primary, extras } = effectiveIndexes(indexSources(app, files), app);
  let needs = false;
  const clean = (s: IndexSource) => {
    const c = cleanIndexUrl(s.url);
    let host = '';
    try {
      host = new URL(c.url.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'x')).hostname;
    } catch {
      log.warn('index-url', `${s.label}: "${s.url}" is not a URL`, s.source);
    }
    const hosted = PRIVATE_REGISTRY_HOSTS.some((re) => re.test(host));
    if (c.credentials || hosted) needs = true;
    if (c.credentials)
      log.warn(
        'index-credentials',
        `${s.label} carries credentials in its URL; pycontain strips them and reads them from the BuildKit secret '${INDEX_SECRET_ID}' (a netrc file) instead`,
        s.source,
      );
    return c.url;
  };
  let url: string | null = null;
  if (primary) {
    const u = clean(primary);
    url = isPypi(u) ? null : u;
    log.decide(
      'index',
      url ?? 'PyPI',
      url ? `${primary.label} sets the primary index` : `${primary.label} names PyPI`,
      primary.source,
    );
  }
  const extraUrls = [...new Set(extras.map(clean).filter((u) => !isPypi(u)))];
  if (extraUrls.length)
    log.decide(
      'index (extra)',
      extraUrls.join(' '),
      `${extras.map((e) => e.label).join(', ')}`,
      extras[0]?.source,
    );
  if (needs)
    log.decide(
      'index credentials',
      `secret ${INDEX_SECRET_ID}`,
      `the index needs credentials: pass them with \`--secret id=${INDEX_SECRET_ID},src=$HOME/.netrc\`; they never enter an ARG, ENV or layer`,
    );
  const origin =
    url === null ? {} : ({ origin: app.merged.indexUrl !== undefined ? 'override' : 'project' } as const);
  return { url, extraUrls, needsCredentials: needs, secretId: INDEX_SECRET_ID, ...origin };
}
