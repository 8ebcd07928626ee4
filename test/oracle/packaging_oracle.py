"""Differential oracle for pycontain's PEP 440 / PEP 508 code: pypa `packaging` (and pip's requirements parser).

Reads one JSON document on stdin: {"tasks": [ {...}, ... ]}, writes {"results": [...]} on stdout,
one result per task, in order. Batched so that a property test costs one Python process.

Task kinds:
  requirement  {text}                      -> {ok, name, extras, specs, url, marker}
  marker       {text, env}                 -> {ok, value} | {ok: false, stage: "parse"|"eval"}
  version      {text}                      -> {ok, normalized}
  compare      {a, b}                      -> {ok, value: -1|0|1}
  contains     {version, spec, prereleases}-> {ok, value}
  pip_file     {text} | {files, main}      -> {ok, entries: [...] } (pip's own parse of a requirements file tree)
"""

import json
import os
import sys
import tempfile

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version


def requirement(task):
    try:
        r = Requirement(task["text"])
    except Exception as e:  # InvalidRequirement, InvalidSpecifier, SyntaxError from literal_eval...
        return {"ok": False, "error": type(e).__name__}
    return {
        "ok": True,
        "name": r.name,
        "extras": sorted({canonicalize_name(e) for e in r.extras}),
        "specs": sorted([s.operator, s.version] for s in r.specifier),
        "url": r.url,
        "marker": str(r.marker) if r.marker is not None else None,
    }


def marker(task):
    try:
        m = Marker(task["text"])
    except Exception as e:
        return {"ok": False, "stage": "parse", "error": type(e).__name__}
    env = dict(task["env"])
    for key in ("extras", "dependency_groups"):
        if key in env:
            env[key] = frozenset(env[key])
    try:
        return {"ok": True, "value": bool(m.evaluate(env))}
    except Exception as e:
        return {"ok": False, "stage": "eval", "error": type(e).__name__}


def version(task):
    try:
        v = Version(task["text"])
    except Exception:
        return {"ok": False}
    return {"ok": True, "normalized": str(v), "prerelease": v.is_prerelease}


def compare(task):
    a, b = Version(task["a"]), Version(task["b"])
    return {"ok": True, "value": (a > b) - (a < b)}


def contains(task):
    try:
        s = SpecifierSet(task["spec"])
    except Exception as e:
        return {"ok": False, "error": type(e).__name__}
    return {"ok": True, "value": s.contains(task["version"], prereleases=task.get("prereleases"))}


_pip_session = None


def pip_file(task):
    # pip's own reader (internal API of pip 23.x): the oracle for requirements.txt semantics.
    global _pip_session
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    if _pip_session is None:
        _pip_session = PipSession()

    with tempfile.TemporaryDirectory() as d:
        # One file (`text`), or a tree (`files`: {relative name: text}, `main`: the one to read).
        files = task.get("files") or {"requirements.txt": task["text"]}
        for name, text in files.items():
            full = os.path.join(d, name)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        path = os.path.join(d, task.get("main", "requirements.txt"))
        cwd = os.getcwd()
        os.chdir(d)
        entries = []
        try:
            for parsed in parse_requirements(path, session=_pip_session):
                ireq = install_req_from_parsed_requirement(parsed)
                entries.append(
                    {
                        "name": canonicalize_name(ireq.req.name) if ireq.req is not None else None,
                        "specs": sorted([s.operator, s.version] for s in ireq.req.specifier) if ireq.req is not None else [],
                        "editable": bool(parsed.is_editable),
                        "hashes": sorted(h for alg, hs in ireq.hash_options.items() for h in (f"{alg}:{x}" for x in hs)),
                        "link": ireq.link.url if ireq.link is not None and ireq.original_link is not None else None,
                        "line": int(parsed.comes_from.rsplit("line ", 1)[1].rstrip(")")) if "line " in parsed.comes_from else None,
                        "file": os.path.relpath(parsed.comes_from.split(" (line ")[0].split(" ", 1)[1], d) if " (line " in parsed.comes_from else None,
                        "constraint": bool(parsed.constraint),
                    }
                )
        except BaseException as e:  # pip raises RequirementsFileParseError, InstallationError, SystemExit from optparse
            return {"ok": False, "error": type(e).__name__, "message": str(e)[:300]}
        finally:
            os.chdir(cwd)
    return {"ok": True, "entries": entries}


KINDS = {
    "requirement": requirement,
    "marker": marker,
    "version": version,
    "compare": compare,
    "contains": contains,
    "pip_file": pip_file,
}


def main():
    doc = json.load(sys.stdin)
    results = []
    for task in doc["tasks"]:
        try:
            results.append(KINDS[task["kind"]](task))
        except Exception as e:  # an oracle bug must not look like a rejection
            results.append({"ok": False, "oracle_error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
