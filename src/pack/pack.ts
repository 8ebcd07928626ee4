/**
 * `pycontain pack`: the image the generated Dockerfile describes, built without an engine. The base
 * layers are reused as they are; three layers are added - the user (what useradd writes), the venv
 * (wheels from the lock, installed per the wheel spec) and the app (the build context as COPY sees
 * it) - each deterministic and cached by its inputs. Config follows src/dockerfile/render.ts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { compileDockerignore, renderDockerignore } from '../dockerfile/dockerignore.js';
import { APP, healthcheckArgv, layoutOf, needsPkgResources, VENV } from '../dockerfile/render.js';
import { InputError, type Plan } from '../plan.js';
import { readTextIfExists } from '../util/fs.js';
import { VERSION } from '../version.js';
import {
  type BaseImage,
  type BaseSource,
  baseFacts,
  dpkgVersion,
  importBase,
  parseBaseSource,
  sourceString,
} from './base.js';
import { type DebPin, debLayer } from './debian.js';
import { type BuiltImage, OCI_LAYER_GZIP, writeManifest } from './image.js';
import { type LockedDist, lockedDists } from './locked.js';
import { fetchWithAuth, type IndexFile, loadNetrc, type Netrc, projectFiles } from './simple-index.js';
import { type Descriptor, Store } from './store.js';
import { type Target, tagRanks, wheelRank } from './tags.js';
import { gzipFixed, type LayerEntry, sha256, tarLayer } from './tarlayer.js';
import { findPython, type PythonFacts, venvSkeleton } from './venv.js';
import { installWheel } from './wheel.js';

/** Bumped whenever a layer's bytes for the same inputs change: it is part of every cache key. */
export const LAYER_FORMAT = 1;
export const LOCK_FILE = 'pycontain.lock.json';
export const LOCK_VERSION = 1;

export interface PackLock {
  lockVersion: number;
  base: { ref: string; platform: string; config: string; layers: string[] };
  python?: { interpreter: string; version: string; glibc: string; arch: string };
  wheels: Array<{ name: string; version: string; filename: string; url: string; sha256: string }>;
  /** Runtime Debian packages the base lacks, pinned (version + sha256 from the release's index). */
  debs?: DebPin[];
}

export interface PackOptions {
  /** Base reference: docker:REF, oci:DIR, docker-archive:FILE, or a plain engine reference. */
  base: string;
  cacheDir: string;
  /** 'name:tag' written into the outputs. */
  tag: string;
  /** Prebuilt wheels to use for packages the lock has no usable wheel for. */
  wheelhouse?: string;
  /** SOURCE_DATE_EPOCH; default: the last commit time of the project, else 0. */
  epoch?: number;
  /** Re-resolve the base and wheels even when pycontain.lock.json pins them. */
  updateLock?: boolean;
  platform?: string;
  log?: (line: string) => void;
}

export interface LayerResult {
  name: string;
  descriptor: Descriptor;
  diffId: string;
  /** Taken from the cache, not rebuilt. */
  cached: boolean;
  files: number;
}

export interface PackResult {
  image: BuiltImage;
  base: BaseImage;
  layers: LayerResult[];
  lockFile: string;
  lockChanged: boolean;
  epoch: number;
  store: Store;
}

const execFileP = promisify(execFile);

export async function sourceDateEpoch(root: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const given = env.SOURCE_DATE_EPOCH;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0)
      throw new InputError(`SOURCE_DATE_EPOCH=${given} is not a non-negative integer`);
    return n;
  }
  try {
    const { stdout } = await execFileP('git', ['log', '-1', '--format=%ct', '--', '.'], { cwd: root });
    const n = Number(stdout.trim());
    return Number.isInteger(n) && stdout.trim() ? n : 0;
  } catch {
    return 0;
  }
}

function keyOf(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

async function cachedLayer(
  store: Store,
  name: string,
  key: string,
  build: () => Promise<LayerEntry[]> | LayerEntry[],
  opts: { mtime: number; keepSymlinkDirs: string[] },
): Promise<LayerResult> {
  const hit = await store.getMeta<{ descriptor: Descriptor; diffId: string; files: number }>('layers', key);
  if (hit && (await store.has(hit.descriptor.digest))) return { name, ...hit, cached: true };
  const entries = await build();
  const tarBytes = tarLayer(entries, opts);
  const diffId = sha256(tarBytes);
  const gz = gzipFixed(tarBytes);
  const digest = await store.putBuffer(gz);
  const descriptor = { mediaType: OCI_LAYER_GZIP, digest, size: gz.length };
  await store.putMeta('layers', key, { descriptor, diffId, files: entries.length });
  return { name, descriptor, diffId, cached: false, files: entries.length };
}

async function readLock(file: string): Promise<PackLock | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let lock: PackLock;
  try {
    lock = JSON.parse(text) as PackLock;
  } catch (err) {
    throw new InputError(
      `${path.basename(file)} is not valid JSON: ${(err as Error).message}`,
      path.basename(file),
    );
  }
  if (lock.lockVersion !== LOCK_VERSION)
    throw new InputError(
      `${path.basename(file)} has lockVersion ${lock.lockVersion}; this pycontain reads ${LOCK_VERSION}`,
      path.basename(file),
    );
  return lock;
}

async function resolveBase(
  store: Store,
  opts: PackOptions,
  lock: PackLock | null,
  log: (s: string) => void,
): Promise<BaseImage> {
  const src: BaseSource = parseBaseSource(opts.base);
  const platform = opts.platform ?? 'linux/amd64';
  const pinned =
    !opts.updateLock && lock?.base.ref === opts.base && lock.base.platform === platform ? lock.base : null;
  if (pinned) {
    const all = [pinned.config, ...pinned.layers];
    if ((await Promise.all(all.map((d) => store.has(d)))).every(Boolean)) {
      const sizeOf = async (d: string) => (await fsp.stat(store.blobPath(d))).size;
      const cfg = JSON.parse((await store.read(pinned.config)).toString('utf8')) as {
        rootfs?: { diff_ids?: string[] };
      };
      const meta = await store.getMeta<{ layers: Descriptor[]; config: Descriptor }>('base', pinned.config);
      if (meta && cfg.rootfs?.diff_ids?.length === meta.layers.length) {
        log(`base ${opts.base}: ${pinned.config.slice(0, 19)} (pinned, from the cache)`);
        return { source: sourceString(src), config: meta.config, layers: meta.layers };
      }
      void sizeOf;
    }
  }
  log(`base ${opts.base}: reading ${sourceString(src)}`);
  const base = await importBase(store, src, platform);
  if (pinned && pinned.config !== base.config.digest)
    throw new InputError(
      `${LOCK_FILE} pins the base ${opts.base} at ${pinned.config}, but ${sourceString(src)} is ${base.config.digest}: pass --update-lock to move the pin`,
      LOCK_FILE,
    );
  await store.putMeta('base', base.config.digest, { config: base.config, layers: base.layers });
  return base;
}

function glibcOf(facts: Awaited<ReturnType<typeof baseFacts>>): [number, number] {
  const v = dpkgVersion(facts, 'libc6') ?? facts.glibc;
  const m = v ? /^(?:\d+:)?(\d+)\.(\d+)/.exec(v) : null;
  if (!m)
    throw new InputError(
      'the base image has no glibc (no libc6 in its dpkg database, no libc.so.6): pack needs a Debian-like glibc base',
    );
  return [Number(m[1]), Number(m[2])];
}

interface Chosen {
  dist: LockedDist;
  filename: string;
  url: string;
  sha256: string;
  /** From --wheelhouse: read from disk, not downloaded. */
  localPath?: string;
}

async function chooseWheels(
  plan: Plan,
  dists: LockedDist[],
  target: Target,
  lock: PackLock | null,
  opts: PackOptions,
  netrc: Netrc | null,
): Promise<Chosen[]> {
  const ranks = tagRanks(target);
  const indexUrl = plan.index.url ?? process.env.PIP_INDEX_URL ?? 'https://pypi.org/simple/';
  const house = opts.wheelhouse ? await fsp.readdir(opts.wheelhouse).catch(() => null) : null;
  if (opts.wheelhouse && !house) throw new InputError(`--wheelhouse ${opts.wheelhouse}: no such directory`);
  const out: Chosen[] = [];
  const noWheel: string[] = [];
  for (const d of dists) {
    const pinned = !opts.updateLock
      ? lock?.wheels.find((w) => w.name === d.name && w.version === d.version && d.hashes.includes(w.sha256))
      : undefined;
    if (pinned && wheelRank(pinned.filename, ranks) !== null) {
      out.push({ dist: d, filename: pinned.filename, url: pinned.url, sha256: pinned.sha256 });
      continue;
    }
    let candidates: IndexFile[] = d.files
      .filter((f) => f.filename && f.sha256 && f.url)
      .map((f) => ({ filename: f.filename as string, url: f.url as string, sha256: f.sha256 }));
    const lockNames = d.files.filter((f) => f.filename?.endsWith('.whl'));
    if (!candidates.some((c) => c.filename.endsWith('.whl'))) {
      const listed = await projectFiles(indexUrl, d.name, netrc);
      candidates = listed.filter((f) => f.sha256 && d.hashes.includes(f.sha256));
    }
    const best = candidates
      .map((c) => ({ c, r: wheelRank(c.filename, ranks) }))
      .filter(
        (x): x is { c: IndexFile; r: number } =>
          x.r !== null && !!x.c.sha256 && d.hashes.includes(x.c.sha256),
      )
      .sort((a, b) => a.r - b.r)[0];
    if (best) {
      out.push({ dist: d, filename: best.c.filename, url: best.c.url, sha256: best.c.sha256 as string });
      continue;
    }
    const local = (house ?? [])
      .filter((f) => f.endsWith('.whl'))
      .map((f) => ({ f, r: wheelRank(f, ranks) }))
      .filter((x) => x.r !== null && normalizeDistFile(x.f) === `${d.name} ${d.version}`)
      .sort((a, b) => (a.r as number) - (b.r as number))[0];
    if (local && opts.wheelhouse) {
      const p = path.join(opts.wheelhouse, local.f);
      const sum = createHash('sha256')
        .update(await fsp.readFile(p))
        .digest('hex');
      out.push({ dist: d, filename: local.f, url: `file://${path.resolve(p)}`, sha256: sum, localPath: p });
      continue;
    }
    noWheel.push(
      `${d.name}==${d.version} (${d.where.file}${d.where.line ? `:${d.where.line}` : ''}${lockNames.length ? `; wheels: ${lockNames.map((f) => f.filename).join(', ')}` : '; sdist only'})`,
    );
  }
  if (noWheel.length)
    throw new InputError(
      `no wheel for Python ${target.python} on glibc ${target.glibc.join('.')} ${target.arch} for ${noWheel.length} package(s): ${noWheel.join('; ')}. pack does not build sdists: build them once (pip wheel) into a directory and pass --wheelhouse DIR, or use pycontain build`,
    );
  return out;
}

function normalizeDistFile(file: string): string {
  const [n = '', v = ''] = file.split('-');
  return `${n.replace(/[-_.]+/g, '-').toLowerCase()} ${v}`;
}

async function fetchWheel(store: Store, c: Chosen, netrc: Netrc | null): Promise<Buffer> {
  const digest = `sha256:${c.sha256}`;
  if (await store.has(digest)) return store.read(digest);
  let data: Buffer;
  if (c.localPath) data = await fsp.readFile(c.localPath);
  else data = Buffer.from(await (await fetchWithAuth(c.url, netrc)).arrayBuffer());
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== c.sha256)
    throw new InputError(
      `${c.filename} from ${c.url} has sha256 ${got}, the lock pins ${c.sha256}`,
      c.dist.where.file,
      c.dist.where.line,
    );
  await store.putBuffer(data);
  return data;
}

async function appFiles(
  plan: Plan,
): Promise<Array<{ rel: string; abs: string; mode: number; isDir: boolean; link?: string }>> {
  const layout = layoutOf(plan);
  const top = path.join(plan.root, layout.srcBase);
  const own = await readTextIfExists(path.join(plan.root, '.dockerignore'));
  const ignoreText =
    own ?? renderDockerignore(plan, await readTextIfExists(path.join(plan.root, '.gitignore')));
  const ignored = compileDockerignore(ignoreText);
  const out: Array<{ rel: string; abs: string; mode: number; isDir: boolean; link?: string }> = [];
  const walk = async (dir: string, rel: string) => {
    const names = (await fsp.readdir(dir)).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      // The pack lock describes the image; in it, it would change the app layer on every re-pin.
      if (r === LOCK_FILE) continue;
      const ctxRel = layout.srcBase ? `${layout.srcBase}/${r}` : r;
      const abs = path.join(dir, n);
      const st = await fsp.lstat(abs);
      if (ignored(ctxRel, st.isDirectory())) {
        if (!st.isDirectory()) continue;
        // A `!` rule may re-include something below an excluded directory: look inside anyway.
      }
      if (st.isSymbolicLink()) {
        if (!ignored(ctxRel))
          out.push({ rel: r, abs, mode: 0o777, isDir: false, link: await fsp.readlink(abs) });
      } else if (st.isDirectory()) {
        const before = out.length;
        await walk(abs, r);
        if (!ignored(ctxRel, true) || out.length > before)
          out.push({ rel: r, abs, mode: st.mode & 0o7777, isDir: true });
      } else if (st.isFile()) {
        if (!ignored(ctxRel)) out.push({ rel: r, abs, mode: st.mode & 0o7777, isDir: false });
      }
    }
  };
  await walk(top, '');
  return out;
}

/** `chmod -R a+rX,go-w` as the Dockerfile runs it on /app. */
function appMode(mode: number, isDir: boolean): number {
  const x = isDir || (mode & 0o111) !== 0 ? 0o111 : 0;
  return (mode | 0o444 | x) & ~0o022 & 0o7777;
}

function userEntries(plan: Plan, facts: Awaited<ReturnType<typeof baseFacts>>, epoch: number): LayerEntry[] {
  const { uid, gid } = plan.user;
  const name = plan.user.name || 'app';
  const home = `home/${name}`;
  const file = (p: string, add: string): LayerEntry => {
    const f = facts.files[p];
    if (!f)
      throw new InputError(
        `the base image has no /${p}: pack cannot add the user ${name} (use a Debian-based base or --distroless)`,
      );
    const text = f.data.endsWith('\n') || f.data === '' ? f.data : `${f.data}\n`;
    return {
      path: p,
      type: 'file',
      mode: f.mode,
      gid: f.gid ?? 0,
      data: Buffer.from(`${text}${add}\n`, 'latin1'),
    };
  };
  const days = Math.floor(epoch / 86400);
  const out: LayerEntry[] = [
    file('etc/passwd', `${name}:x:${uid}:${gid}::/${home}:/usr/sbin/nologin`),
    file('etc/group', `${name}:x:${gid}:`),
    { path: home, type: 'dir', mode: 0o755, uid, gid },
  ];
  if (facts.files['etc/shadow']) out.push(file('etc/shadow', `${name}:!:${days}::::::`));
  if (facts.files['etc/gshadow']) out.push(file('etc/gshadow', `${name}:!::`));
  for (const [p, f] of Object.entries(facts.files)) {
    if (!p.startsWith('etc/skel/')) continue;
    out.push({
      path: `${home}/${p.slice(9)}`,
      type: 'file',
      mode: f.mode,
      uid,
      gid,
      data: Buffer.from(f.data, 'latin1'),
    });
  }
  return out;
}

function refuseUnsupported(plan: Plan): void {
  if (plan.installProject || plan.workspace?.members.length)
    throw new InputError(
      `${plan.projectName ?? 'the project'} is installed into the venv as a package (it has a build system): pack cannot run its build backend; use pycontain build, or set package = false / drop [build-system] when the code runs from /app`,
    );
  if (plan.django?.staticRoot)
    throw new InputError(
      'Django STATIC_ROOT is set: collectstatic must run Python at build time, which pack cannot; use pycontain build',
    );
  const who = needsPkgResources(plan);
  if (who)
    throw new InputError(
      `${who} imports pkg_resources and the lock has no setuptools: add setuptools<81 to the lock (the Dockerfile adds it; pack installs the lock only)`,
      plan.lockfile ?? undefined,
    );
  if (!plan.command.length)
    throw new InputError(
      'no start command was found for this project: set `command` in [tool.pycontain] of pyproject.toml or pass --command',
    );
}

function imageConfig(
  plan: Plan,
  baseCfg: Record<string, unknown>,
  layers: LayerResult[],
  epoch: number,
): Buffer {
  const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
  const inner = { ...((baseCfg.config as Record<string, unknown>) ?? {}) };
  const env = [...((inner.Env as string[] | null) ?? [])];
  const setEnv = (k: string, v: string) => {
    const i = env.findIndex((e) => e.split('=')[0] === k);
    if (i >= 0) env[i] = `${k}=${v}`;
    else env.push(`${k}=${v}`);
  };
  setEnv('PATH', `${VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
  setEnv('VIRTUAL_ENV', VENV);
  setEnv('PYTHONUNBUFFERED', '1');
  setEnv('PYTHONDONTWRITEBYTECODE', '1');
  for (const [k, v] of Object.entries(plan.env ?? {}))
    if (!['PATH', 'VIRTUAL_ENV', 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE'].includes(k)) setEnv(k, v);
  const labels: Record<string, string> = { ...((inner.Labels as Record<string, string> | null) ?? {}) };
  labels['io.pycontain.package-manager'] = plan.packageManager;
  labels['io.pycontain.framework'] = plan.framework;
  if (plan.importChecks?.length) labels['io.pycontain.import-checks'] = plan.importChecks.join(',');
  if (plan.port !== null) labels['io.pycontain.port'] = String(plan.port);
  if (plan.healthcheckPath) labels['io.pycontain.healthcheck-path'] = plan.healthcheckPath;
  labels['org.opencontainers.image.created'] = created;
  const uid = plan.image.distroless ? (plan.overrides.uid ?? 65532) : plan.user.uid;
  const gid = plan.image.distroless ? (plan.overrides.uid ?? 65532) : plan.user.gid;
  const cfg: Record<string, unknown> = {
    ...inner,
    Env: env,
    Labels: labels,
    User: `${uid}:${gid}`,
    WorkingDir: layoutOf(plan).workdir,
  };
  if (plan.port !== null) {
    cfg.ExposedPorts = {
      ...((inner.ExposedPorts as Record<string, unknown>) ?? {}),
      [`${plan.port}/tcp`]: {},
    };
    if (plan.healthcheckPath)
      cfg.Healthcheck = {
        Test: ['CMD', ...healthcheckArgv(plan.port, plan.healthcheckPath)],
        Interval: 30e9,
        Timeout: 5e9,
        StartPeriod: 20e9,
        Retries: 3,
      };
  }
  if (plan.framework === 'cli') {
    cfg.Entrypoint = plan.command;
    cfg.Cmd = null;
  } else {
    if (plan.image.distroless) cfg.Entrypoint = null;
    cfg.Cmd = plan.command;
  }
  const rootfs = baseCfg.rootfs as { type: string; diff_ids: string[] };
  const history = [
    ...(((baseCfg.history as unknown[]) ?? []) as unknown[]),
    ...layers.map((l) => ({
      created,
      created_by: `pycontain pack ${VERSION}: ${l.name} (${l.files} entries)`,
      comment: 'pycontain pack',
    })),
  ];
  const out = {
    ...baseCfg,
    created,
    config: cfg,
    rootfs: { type: rootfs.type ?? 'layers', diff_ids: [...rootfs.diff_ids, ...layers.map((l) => l.diffId)] },
    history,
  };
  delete (out as Record<string, unknown>).container_config;
  delete (out as Record<string, unknown>).container;
  return Buffer.from(JSON.stringify(out));
}

export async function pack(plan: Plan, opts: PackOptions): Promise<PackResult> {
  const log = opts.log ?? (() => {});
  refuseUnsupported(plan);
  const store = new Store(opts.cacheDir);
  const lockFile = path.join(plan.root, LOCK_FILE);
  const lock = await readLock(lockFile);
  const epoch = opts.epoch ?? (await sourceDateEpoch(plan.root));
  const base = await resolveBase(store, opts, lock, log);
  const baseCfg = JSON.parse((await store.read(base.config.digest)).toString('utf8')) as Record<
    string,
    unknown
  >;
  const facts = await baseFacts(store, base);
  const runtime = [
    ...new Set([...(plan.system.runtime ?? []), ...(plan.overrides.aptPackages ?? [])]),
  ].sort();
  const missing = runtime.filter((p) => !dpkgVersion(facts, p));
  const baseEnv = ((baseCfg.config as { Env?: string[] } | undefined)?.Env ?? []) as string[];
  const sameImage = plan.image.builder === plan.image.runtime && !plan.image.distroless;
  const py: PythonFacts = findPython(
    facts,
    sameImage ? 'python3' : plan.image.pythonPath,
    baseEnv,
    plan.pythonVersion,
  );
  const arch = baseCfg.architecture === 'arm64' ? 'aarch64' : 'x86_64';
  const glibc = glibcOf(facts);
  const target: Target = { python: py.minor, glibc, arch };
  const netrc = await loadNetrc();
  const dists = await lockedDists(plan);
  const chosen = await chooseWheels(plan, dists, target, lock, opts, netrc);
  log(`venv: ${chosen.length} wheels for cp${py.minor.replace('.', '')} glibc ${glibc.join('.')} ${arch}`);
  const keep = opts.updateLock ? [] : [];
  void keep;
  const mtimeOpts = { mtime: epoch, keepSymlinkDirs: facts.topLinks };
  const layers: LayerResult[] = [];
  if (!plan.image.distroless) {
    const ukey = keyOf({ f: LAYER_FORMAT, k: 'user', user: plan.user, base: base.config.digest, epoch });
    layers.push(await cachedLayer(store, 'user', ukey, () => userEntries(plan, facts, epoch), mtimeOpts));
  }
  let debs: DebPin[] = [];
  if (missing.length) {
    const codename = plan.overrides.debian ?? plan.image.debian;
    const debArch = baseCfg.architecture === 'arm64' ? 'arm64' : 'amd64';
    const pinned = opts.updateLock ? undefined : lock?.debs;
    // Resolving needs the Packages indexes; a pinned set whose layer is cached needs no network.
    let unpacked: Awaited<ReturnType<typeof debLayer>> | null = null;
    const resolve = async () => {
      unpacked ??= await debLayer(store, facts, missing, codename, debArch, pinned);
      return unpacked;
    };
    const usable = pinned?.length && missing.every((m) => pinned.some((p) => p.name === m));
    debs = usable ? pinned : (await resolve()).pins;
    log(`debs: ${debs.map((d) => `${d.name}=${d.version}`).join(' ')} (for ${missing.join(', ')})`);
    const dkey = keyOf({
      f: LAYER_FORMAT,
      k: 'debs',
      debs: debs.map((d) => d.sha256),
      base: base.config.digest,
      epoch,
    });
    layers.push(await cachedLayer(store, 'debs', dkey, async () => (await resolve()).entries, mtimeOpts));
  }
  const venvRoot = VENV.slice(1);
  const drops = (plan.packageTests ?? []).flatMap((t) => t.roots.map((r) => ({ root: r, dirs: t.dirs })));
  const drop = (spPath: string) => {
    const parts = spPath.split('/');
    return drops.some((d) => parts[0] === d.root && parts.slice(1, -1).some((p) => d.dirs.includes(p)));
  };
  const vkey = keyOf({
    f: LAYER_FORMAT,
    k: 'venv',
    py,
    templates: Object.entries(facts.files)
      .filter(([p]) => p.includes('/venv/'))
      .map(([p, f]) => [p, sha256(Buffer.from(f.data, 'latin1'))]),
    wheels: chosen.map((c) => [c.dist.name, c.sha256]),
    drops,
    epoch,
  });
  layers.push(
    await cachedLayer(
      store,
      'venv',
      vkey,
      async () => {
        const entries = venvSkeleton(facts, py, VENV);
        const venv = {
          root: venvRoot,
          pythonDir: `python${py.minor}`,
          shebang: `${VENV}/bin/python`,
          installer: 'pycontain',
        };
        for (const c of chosen) {
          const data = await fetchWheel(store, c, netrc);
          entries.push(...installWheel(data, c.filename, venv, { requested: true, drop }).entries);
        }
        return entries;
      },
      mtimeOpts,
    ),
  );
  const files = await appFiles(plan);
  const withHashes = await Promise.all(
    files.map(async (f) => ({
      ...f,
      sum:
        f.isDir || f.link !== undefined
          ? ''
          : createHash('sha256')
              .update(await fsp.readFile(f.abs))
              .digest('hex'),
    })),
  );
  const akey = keyOf({
    f: LAYER_FORMAT,
    k: 'app',
    files: withHashes.map((f) => [f.rel, appMode(f.mode, f.isDir), f.sum, f.link ?? null]),
    epoch,
  });
  layers.push(
    await cachedLayer(
      store,
      'app',
      akey,
      async () => {
        const entries: LayerEntry[] = [{ path: APP.slice(1), type: 'dir', mode: 0o755 }];
        for (const f of withHashes) {
          const p = `${APP.slice(1)}/${f.rel}`;
          if (f.link !== undefined) entries.push({ path: p, type: 'symlink', mode: 0o777, linkname: f.link });
          else if (f.isDir) entries.push({ path: p, type: 'dir', mode: appMode(f.mode, true) });
          else
            entries.push({
              path: p,
              type: 'file',
              mode: appMode(f.mode, false),
              data: await fsp.readFile(f.abs),
            });
        }
        return entries;
      },
      mtimeOpts,
    ),
  );
  const configBytes = imageConfig(plan, baseCfg, layers, epoch);
  const image = await writeManifest(store, configBytes, [...base.layers, ...layers.map((l) => l.descriptor)]);
  image.tag = opts.tag;
  const newLock: PackLock = {
    lockVersion: LOCK_VERSION,
    base: {
      ref: opts.base,
      platform: opts.platform ?? 'linux/amd64',
      config: base.config.digest,
      layers: base.layers.map((l) => l.digest),
    },
    python: { interpreter: py.exe, version: py.version, glibc: glibc.join('.'), arch },
    wheels: chosen
      .filter((c) => !c.localPath)
      .map((c) => ({
        name: c.dist.name,
        version: c.dist.version,
        filename: c.filename,
        url: c.url,
        sha256: c.sha256,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    ...(debs.length ? { debs } : {}),
  };
  const text = `${JSON.stringify(newLock, null, 2)}\n`;
  const old = await readTextIfExists(lockFile);
  if (old !== text) await fsp.writeFile(lockFile, text);
  return { image, base, layers, lockFile, lockChanged: old !== text, epoch, store };
}
