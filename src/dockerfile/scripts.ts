/**
 * Small Python programs the generated Dockerfiles run in the BUILDER stage (stdlib only, so they
 * work before anything is installed). They are written into the image with `COPY <<'PY'`
 * heredocs: visible in the Dockerfile, no extra files in the user's repository.
 */

/**
 * Pipfile.lock -> pip requirements with hashes, after checking the lock still matches the Pipfile
 * (the check `pipenv install --deploy` makes). pipenv itself is not needed in the image: the lock
 * pins every package with its hashes, and pip installs exactly that with --require-hashes --no-deps.
 *
 * The Pipfile hash is pipenv's: sha256 over the JSON (sorted keys, compact separators) of
 * {_meta: {sources, requires}, default: packages, develop: dev-packages} plus any custom package
 * categories; a Pipfile without [[source]] hashes as if it listed PyPI.
 */
export const PIPFILE_LOCK_SCRIPT = `import hashlib, json, sys

lock_path, pipfile_path, out_path = sys.argv[1:4]
categories = sys.argv[4:] or ["default"]
with open(lock_path, encoding="utf-8") as f:
    lock = json.load(f)
try:
    import tomllib
except ImportError:  # Python < 3.11: no TOML reader in the stdlib, skip the staleness check
    tomllib = None
if tomllib is not None:
    with open(pipfile_path, "rb") as f:
        pipfile = tomllib.load(f)
    pypi = [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}]
    data = {
        "_meta": {"sources": pipfile.get("source", pypi), "requires": pipfile.get("requires", {})},
        "default": pipfile.get("packages", {}),
        "develop": pipfile.get("dev-packages", {}),
    }
    for key, value in pipfile.items():
        if key not in ("source", "packages", "dev-packages", "requires", "scripts", "pipenv", "pipfile"):
            data[key] = value
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf8")).hexdigest()
    locked = lock.get("_meta", {}).get("hash", {}).get("sha256")
    if digest != locked:
        sys.exit(f"Pipfile.lock is out of date with Pipfile (Pipfile hashes to {digest}, the lock records {locked}): run 'pipenv lock' and rebuild")
lines = []
for category in categories:
    for name, spec in sorted(lock.get(category, {}).items()):
        if isinstance(spec, str):
            spec = {"version": spec}
        if "path" in spec or "file" in spec:
            continue  # the project itself (path = "."): installed after the code is copied
        extras = "[" + ",".join(spec["extras"]) + "]" if spec.get("extras") else ""
        if "git" in spec:
            req = f"{name}{extras} @ git+{spec['git']}@{spec.get('ref', 'HEAD')}"
        else:
            req = f"{name}{extras}{spec.get('version', '')}"
        if spec.get("markers"):
            req += f" ; {spec['markers']}"
        for h in spec.get("hashes", []):
            req += f" --hash={h}"
        lines.append(req)
with open(out_path, "w", encoding="utf-8") as f:
    f.write("\\n".join(lines) + "\\n")
print(f"{len(lines)} locked packages from {lock_path}")
`;

/**
 * Declared dependencies of a project without a lock (setuptools & co.), read from the manifests
 * alone so they install in a layer of their own before the code is copied: PEP 621
 * [project].dependencies (+ optional-dependencies for the selected extras) or setup.cfg
 * install_requires. Writes nothing useful when dependencies are dynamic (setup.py): the project
 * install after the code copy then resolves them.
 */
export const DECLARED_DEPS_SCRIPT = `import configparser, os, sys

out_path = sys.argv[1]
extras = sys.argv[2:]
reqs = []
if os.path.exists("pyproject.toml"):
    try:
        import tomllib
    except ImportError:
        tomllib = None
    if tomllib is not None:
        with open("pyproject.toml", "rb") as f:
            project = tomllib.load(f).get("project", {})
        if "dependencies" not in project.get("dynamic", []):
            reqs += project.get("dependencies", [])
        for extra in extras:
            reqs += project.get("optional-dependencies", {}).get(extra, [])
if not reqs and os.path.exists("setup.cfg"):
    cfg = configparser.ConfigParser()
    cfg.read("setup.cfg", encoding="utf-8")
    raw = cfg.get("options", "install_requires", fallback="")
    reqs += [line.strip() for line in raw.splitlines() if line.strip() and not line.strip().startswith("#")]
    for extra in extras:
        raw = cfg.get("options.extras_require", extra, fallback="")
        reqs += [line.strip() for line in raw.splitlines() if line.strip()]
with open(out_path, "w", encoding="utf-8") as f:
    f.write("".join(r + "\\n" for r in reqs))
print(f"{len(reqs)} declared dependencies")
`;

/**
 * A Pipfile without its lock, as requirement lines for pip: `name = "*"` (any version), a version
 * string, or a table with version / extras / markers / git (+ ref) / path / file. Local paths are
 * the project itself or its siblings, installed after the code is copied, so they are skipped.
 * tomllib is Python >= 3.11; older builders get tomli in the tools venv first.
 */
export const PIPFILE_REQS_SCRIPT = `import sys
try:
    import tomllib
except ImportError:
    import tomli as tomllib

pipfile_path, out_path = sys.argv[1:3]
categories = sys.argv[3:] or ["packages"]
with open(pipfile_path, "rb") as f:
    pipfile = tomllib.load(f)
lines = []
for category in categories:
    for name, spec in sorted(pipfile.get(category, {}).items()):
        if isinstance(spec, str):
            spec = {"version": spec}
        if "path" in spec or "file" in spec:
            continue
        extras = "[" + ",".join(spec["extras"]) + "]" if spec.get("extras") else ""
        version = spec.get("version", "*")
        if "git" in spec:
            ref = "@" + spec["ref"] if spec.get("ref") else ""
            req = f"{name}{extras} @ git+{spec['git']}{ref}"
        else:
            req = f"{name}{extras}{'' if version == '*' else version}"
        if spec.get("markers"):
            req += f" ; {spec['markers']}"
        lines.append(req)
with open(out_path, "w", encoding="utf-8") as f:
    f.write("\\n".join(lines) + "\\n")
print(f"{len(lines)} requirements from {pipfile_path}")
`;
