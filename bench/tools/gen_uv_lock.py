"""Write a uv.lock (version 1, revision 2) for an example project from the testenv's wheelhouse.

uv itself cannot run in the testenv (it is on neither Debian nor npm), so the uv examples' lock
files are produced by this script instead: a universal resolution over the wheels the local
index holds, with their real sha256 and sizes, laid out the way uv writes its lock.
Usage: python3 bench/tools/gen_uv_lock.py WHEELHOUSE PROJECT_DIR
"""

import json
import os
import re
import sys
import tomllib
import zipfile
from email.parser import Parser

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REGISTRY = "http://127.0.0.1:3141/simple"
ENVS = [
    {"sys_platform": p, "platform_system": s, "os_name": o, "python_version": v,
     "python_full_version": v + ".0", "implementation_name": "cpython",
     "platform_python_implementation": "CPython", "platform_machine": "x86_64"}
    for p, s, o in (("linux", "Linux", "posix"), ("win32", "Windows", "nt"), ("darwin", "Darwin", "posix"))
    for v in ("3.11", "3.12", "3.13")
]


def load_wheelhouse(root):
    manifest = json.load(open(os.path.join(root, "manifest.json")))
    out = {}
    for e in manifest:
        path = os.path.join(root, "files", e["wheel"])
        with zipfile.ZipFile(path) as z:
            meta_name = next(
                n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            )
            meta = Parser().parsestr(z.read(meta_name).decode())
        out[canonicalize_name(e["name"])] = {
            "entry": e, "size": os.path.getsize(path),
            "requires": meta.get_all("Requires-Dist") or [],
            "requires_python": meta.get("Requires-Python"),
        }
    return out


def marker_info(marker, extra=""):
    """(possible on some supported platform, true on all of them)."""
    if marker is None:
        return True, True
    results = [marker.evaluate({**env, "extra": extra}) for env in ENVS]
    return any(results), all(results)


def uv_marker(marker):
    return str(marker).replace('"', "'")


def deps_of(wh, name, extra=""):
    """Dependencies of `name` (or of its extra) as [(dep name, dep extras, marker or None)]."""
    out = []
    for raw in wh[name]["requires"]:
        req = Requirement(raw)
        m = req.marker
        has_extra = m is not None and "extra" in str(m)
        if extra:
            if not has_extra or not any(m.evaluate({**env, "extra": extra}) for env in ENVS):
                continue
            m = strip_extra(m)
        elif has_extra:
            continue
        possible, always = marker_info(m)
        if not possible:
            continue
        out.append((canonicalize_name(req.name), sorted(req.extras), None if always else m))
    # Debian's repacked metadata repeats requirements (once with a marker, once without): merge them
    # the way a resolver would, an unconditional edge wins, conditional ones are or-ed.
    merged = {}
    for name, extras, m in out:
        key = (name, tuple(extras))
        if key in merged and merged[key] is None:
            continue
        if m is None or key not in merged:
            merged[key] = m
        else:
            merged[key] = Marker(f"({merged[key]}) or ({m})")
    return [(n, list(x), m) for (n, x), m in merged.items()]


def strip_extra(m):
    s = str(m)
    s = re.sub(r'\s*and\s*extra == "[^"]+"', "", s)
    s = re.sub(r'extra == "[^"]+"\s*and\s*', "", s)
    s = re.sub(r'^extra == "[^"]+"$', "", s)
    return Marker(s) if s.strip() else None


def provides_extras(wh, name):
    extras = set()
    for raw in wh[name]["requires"]:
        for x in re.findall(r'extra == "([^"]+)"', raw):
            extras.add(x)
    return sorted(extras)


def fmt_dep(name, extras, marker):
    parts = [f'name = "{name}"']
    if extras:
        parts.append("extra = [" + ", ".join(f'"{e}"' for e in extras) + "]")
    if marker is not None:
        parts.append(f'marker = "{uv_marker(marker)}"')
    return "{ " + ", ".join(parts) + " }"


def fmt_spec(req):
    parts = [f'name = "{canonicalize_name(req.name)}"']
    if req.extras:
        parts.append("extras = [" + ", ".join(f'"{e}"' for e in sorted(req.extras)) + "]")
    if req.marker is not None:
        parts.append(f'marker = "{uv_marker(req.marker)}"')
    if req.specifier:
        ordered = sorted((str(x) for x in req.specifier), key=lambda x: (not x.startswith(">"), x))
        parts.append(f'specifier = "{",".join(ordered)}"')
    if req.url:
        parts.append(f'url = "{req.url}"')
    return "{ " + ", ".join(parts) + " }"


def read_project(path):
    data = tomllib.load(open(os.path.join(path, "pyproject.toml"), "rb"))
    proj = data["project"]
    groups = data.get("dependency-groups", {})
    packaged = "build-system" in data
    return data, proj, groups, packaged


def main(wheelhouse, project_dir):
    wh = load_wheelhouse(wheelhouse)
    root_data, root_proj, _, _ = read_project(project_dir)
    members = {}  # name -> (relative path, data, project, groups, packaged)
    ws = root_data.get("tool", {}).get("uv", {}).get("workspace")
    member_dirs = ["."]
    if ws:
        import glob
        for pattern in ws.get("members", []):
            for d in sorted(glob.glob(os.path.join(project_dir, pattern))):
                if os.path.exists(os.path.join(d, "pyproject.toml")):
                    member_dirs.append(os.path.relpath(d, project_dir))
    for rel in member_dirs:
        data, proj, groups, packaged = read_project(os.path.join(project_dir, rel))
        members[canonicalize_name(proj["name"])] = (rel, data, proj, groups, packaged)

    # universal resolution: every requirement that can apply on some supported platform
    needed = {}  # name -> set of extras requested
    queue = []
    for name, (rel, data, proj, groups, packaged) in members.items():
        reqs = list(proj.get("dependencies", []))
        for g in groups.values():
            reqs += g
        for raw in reqs:
            req = Requirement(raw)
            queue.append((canonicalize_name(req.name), set(req.extras)))
    while queue:
        name, extras = queue.pop()
        if name in members:
            continue
        if name not in wh:
            sys.exit(f"{name} is not in the wheelhouse")
        before = needed.get(name)
        cur = needed.setdefault(name, set())
        new = (extras - cur) if before is not None else {""} | extras
        cur |= extras
        for x in new:
            for dep, dx, _ in deps_of(wh, name, x):
                queue.append((dep, set(dx)))

    rp = root_proj.get("requires-python", ">=3.11")
    lines = ["version = 1", "revision = 2", f'requires-python = "{rp}"', ""]
    if ws:
        lines += ["[manifest]", "members = ["]
        lines += [f'    "{m}",' for m in sorted(members)]
        lines += ["]", ""]

    entries = []
    for name in needed:
        entries.append((name, "dep"))
    for name in members:
        entries.append((name, "member"))
    for name, kind in sorted(entries):
        lines.append("[[package]]")
        lines.append(f'name = "{name}"')
        if kind == "dep":
            w = wh[name]
            e = w["entry"]
            lines.append(f'version = "{e["version"]}"')
            lines.append(f'source = {{ registry = "{REGISTRY}" }}')
            deps = deps_of(wh, name)
            if deps:
                lines.append("dependencies = [")
                lines += [f"    {fmt_dep(*d)}," for d in sorted(deps, key=lambda d: d[0])]
                lines.append("]")
            url = REGISTRY.rsplit("/simple", 1)[0] + "/files/" + e["wheel"]
            lines.append("wheels = [")
            lines.append(f'    {{ url = "{url}", hash = "sha256:{e["sha256"]}", size = {w["size"]} }},')
            lines.append("]")
            opt = [x for x in provides_extras(wh, name) if x in needed[name]]
            if opt:
                lines.append("")
                lines.append("[package.optional-dependencies]")
                for x in opt:
                    lines.append(f"{x} = [")
                    lines += [f"    {fmt_dep(*d)}," for d in sorted(deps_of(wh, name, x), key=lambda d: d[0])]
                    lines.append("]")
        else:
            rel, data, proj, groups, packaged = members[name]
            lines.append(f'version = "{proj.get("version", "0.0.0")}"')
            kind_src = "editable" if packaged else "virtual"
            lines.append(f'source = {{ {kind_src} = "{rel}" }}')
            reqs = [Requirement(r) for r in proj.get("dependencies", [])]
            if reqs:
                lines.append("dependencies = [")
                lines += [f"    {fmt_dep(canonicalize_name(r.name), sorted(r.extras), r.marker)}," for r in sorted(reqs, key=lambda r: canonicalize_name(r.name))]
                lines.append("]")
            if groups:
                lines.append("")
                lines.append("[package.dev-dependencies]")
                for g, greqs in sorted(groups.items()):
                    rs = sorted((Requirement(r) for r in greqs), key=lambda r: canonicalize_name(r.name))
                    lines.append(f"{g} = [")
                    lines += [f"    {fmt_dep(canonicalize_name(r.name), sorted(r.extras), r.marker)}," for r in rs]
                    lines.append("]")
            lines.append("")
            lines.append("[package.metadata]")
            if reqs:
                lines.append("requires-dist = [")
                srcs = data.get("tool", {}).get("uv", {}).get("sources", {})
                for r in sorted(reqs, key=lambda r: canonicalize_name(r.name)):
                    cn = canonicalize_name(r.name)
                    if cn in members and srcs.get(r.name, srcs.get(cn, {})).get("workspace"):
                        mrel = members[cn][0]
                        mk = "editable" if members[cn][4] else "virtual"
                        lines.append(f'    {{ name = "{cn}", {mk} = "{mrel}" }},')
                    else:
                        lines.append(f"    {fmt_spec(r)},")
                lines.append("]")
            else:
                lines.append("requires-dist = []")
            if groups:
                lines.append("")
                lines.append("[package.metadata.requires-dev]")
                for g, greqs in sorted(groups.items()):
                    rs = sorted((Requirement(r) for r in greqs), key=lambda r: canonicalize_name(r.name))
                    lines.append(f"{g} = [")
                    lines += [f"    {fmt_spec(r)}," for r in rs]
                    lines.append("]")
        lines.append("")
    sys.stdout.write("\n".join(lines).rstrip("\n") + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
