/**
 * The one Python script `pycontain verify` runs inside the image, with the image's own interpreter
 * (exec form: it must work on distroless images, which have no shell). Standard library only: the
 * runtime venv has no pip, so neither `packaging` nor pip's vendored copy can be relied on.
 *
 * Input: one JSON argument `{"imports": [...], "allowTools": bool}`.
 * Output: one line `PYCONTAIN-VERIFY:<json>` on stdout (imports may print noise of their own).
 *
 * Kept as a string so that `tsc` ships it in dist/ without a copy step; it must not contain a
 * backtick or a dollar-brace sequence.
 */
export const CHECKER_MARKER = 'PYCONTAIN-VERIFY:';

export const CHECKER_PY = String.raw`
import sys, os, json, re, struct, glob, platform, traceback

RESULT = {"python": sys.version.split()[0], "executable": sys.executable, "prefix": sys.prefix,
          "basePrefix": getattr(sys, "base_prefix", sys.prefix)}

# ---------------------------------------------------------------- PEP 440 (subset that orders and matches)
_V = re.compile(r"^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)"
                r"(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?"
                r"(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?"
                r"(?:[-_.]?(dev)[-_.]?(\d+)?)?"
                r"(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$", re.I)
_INF = float("inf")

class Version(object):
    def __init__(self, text):
        m = _V.match(text)
        if not m:
            raise ValueError(text)
        g = m.groups()
        self.text = text
        self.epoch = int(g[0] or 0)
        self.release = tuple(int(x) for x in g[1].split("."))
        self.pre = None
        if g[2]:
            letter = g[2].lower()
            letter = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc"}.get(letter, letter)
            self.pre = (letter, int(g[3] or 0))
        self.post = None
        if g[4] is not None:
            self.post = int(g[4])
        elif g[5]:
            self.post = int(g[6] or 0)
        self.dev = int(g[8] or 0) if g[7] else None
        self.local = g[9].lower() if g[9] else None

    def key(self, with_local=True):
        rel = list(self.release)
        while len(rel) > 1 and rel[-1] == 0:
            rel.pop()
        if self.pre is None and self.post is None and self.dev is not None:
            pre = (-_INF,)
        elif self.pre is None:
            pre = (_INF,)
        else:
            pre = ({"a": 0, "b": 1, "rc": 2}[self.pre[0]], self.pre[1])
        post = (-_INF,) if self.post is None else (self.post,)
        dev = (_INF,) if self.dev is None else (self.dev,)
        if self.local is None or not with_local:
            local = ((-_INF, ""),)
        else:
            local = tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[-_.]", self.local))
        return (self.epoch, tuple(rel), pre, post, dev, local)

    def public(self):
        return Version(self.text.split("+")[0])

    def is_pre(self):
        return self.pre is not None or self.dev is not None

def _pad(a, n):
    return tuple(a) + (0,) * (n - len(a))

def spec_match(version, spec):
    """One clause like '>=1.2' against a Version."""
    spec = spec.strip()
    m = re.match(r"^(===|==|!=|~=|<=|>=|<|>)\s*(.+)$", spec)
    if not m:
        raise ValueError(spec)
    op, target = m.group(1), m.group(2).strip()
    if op == "===":
        return version.text.strip().lower() == target.lower()
    if op in ("==", "!=") and target.endswith(".*"):
        t = Version(target[:-2])
        n = len(t.release)
        same = version.epoch == t.epoch and _pad(version.release, n)[:n] == t.release
        return same if op == "==" else not same
    t = Version(target)
    if op in ("==", "!="):
        v = version if t.local is not None else version.public()
        same = v.key() == t.key()
        return same if op == "==" else not same
    vk = version.key(with_local=False)
    tk = t.key()
    if op == "~=":
        if len(t.release) < 2:
            raise ValueError(spec)
        prefix = t.release[:-1]
        return vk >= tk and version.epoch == t.epoch and _pad(version.release, len(prefix))[:len(prefix)] == prefix
    if op == ">=":
        return vk >= tk
    if op == "<=":
        return vk <= tk
    if op == ">":
        if not vk > tk:
            return False
        # >1.7 does not admit 1.7.post1 unless the spec itself is a post-release
        if t.post is None and version.post is not None and _pad(version.release, len(t.release)) == _pad(t.release, len(version.release)):
            return False
        return True
    if op == "<":
        if not vk < tk:
            return False
        if not t.is_pre() and version.is_pre() and _pad(version.release, len(t.release)) == _pad(t.release, len(version.release)):
            return False
        return True
    raise ValueError(spec)

def specifier_match(version_text, specifier):
    specifier = specifier.strip()
    if not specifier:
        return True
    try:
        v = Version(version_text)
    except ValueError:
        return True  # a version we cannot read is not reported as a conflict
    for clause in specifier.split(","):
        if clause.strip() and not spec_match(v, clause):
            return False
    return True

# ---------------------------------------------------------------- PEP 508 requirements and markers
def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()

_TOKEN = re.compile(r"\s*(?:(\()|(\))|('[^']*'|\"[^\"]*\")|(===|==|!=|~=|<=|>=|<|>)|(not\s+in\b)|(in\b)|(and\b)|(or\b)|([A-Za-z_][A-Za-z0-9_.]*))")

def marker_env():
    impl = sys.implementation
    iv = impl.version
    iver = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
    if iv.releaselevel != "final":
        iver += iv.releaselevel[0] + str(iv.serial)
    return {
        "implementation_name": impl.name,
        "implementation_version": iver,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }

def parse_marker(text):
    toks = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError("bad marker: " + text)
        pos = m.end()
        kinds = ("(", ")", "str", "op", "notin", "in", "and", "or", "var")
        for i, k in enumerate(kinds):
            if m.group(i + 1) is not None:
                val = m.group(i + 1)
                if k == "str":
                    val = val[1:-1]
                toks.append((k, val))
                break
        if text[pos:].strip() == "":
            break
    idx = [0]

    def peek():
        return toks[idx[0]] if idx[0] < len(toks) else (None, None)

    def take():
        t = peek()
        idx[0] += 1
        return t

    def atom():
        k, v = peek()
        if k == "(":
            take()
            node = expr_or()
            if take()[0] != ")":
                raise ValueError("bad marker: " + text)
            return node
        left = take()
        op = take()
        right = take()
        if left[0] not in ("str", "var") or right[0] not in ("str", "var") or op[0] not in ("op", "in", "notin"):
            raise ValueError("bad marker: " + text)
        return ("cmp", left, "not in" if op[0] == "notin" else op[1], right)

    def expr_and():
        node = atom()
        while peek()[0] == "and":
            take()
            node = ("and", node, atom())
        return node

    def expr_or():
        node = expr_and()
        while peek()[0] == "or":
            take()
            node = ("or", node, expr_and())
        return node

    node = expr_or()
    if idx[0] != len(toks):
        raise ValueError("bad marker: " + text)
    return node

def eval_marker(node, env, extras):
    kind = node[0]
    if kind == "and":
        return eval_marker(node[1], env, extras) and eval_marker(node[2], env, extras)
    if kind == "or":
        return eval_marker(node[1], env, extras) or eval_marker(node[2], env, extras)
    _, left, op, right = node
    is_extra = (left == ("var", "extra")) or (right == ("var", "extra"))
    if is_extra:
        other = right if left == ("var", "extra") else left
        wanted = normalize(other[1])
        if op == "==":
            return wanted in extras
        if op == "!=":
            return wanted not in extras
        return False

    def value(t):
        return env.get(t[1], "") if t[0] == "var" else t[1]

    lv, rv = value(left), value(right)
    if op == "in":
        return lv in rv
    if op == "not in":
        return lv not in rv
    try:
        return spec_match(Version(lv), op + rv)
    except ValueError:
        if op == "==":
            return lv == rv
        if op == "!=":
            return lv != rv
        if op == "===":
            return lv == rv
        return False

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$")

def parse_requirement(text):
    marker = None
    body = text
    if ";" in text:
        body, marker = text.split(";", 1)
        marker = marker.strip() or None
    m = _REQ.match(body)
    if not m:
        raise ValueError("bad requirement: " + text)
    name, extras, rest = m.group(1), m.group(2), m.group(3).strip()
    url = None
    if rest.startswith("@"):
        url = rest[1:].strip()
        rest = ""
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    extras = [normalize(e) for e in (extras or "").split(",") if e.strip()]
    return {"name": name, "normalized": normalize(name), "extras": extras, "specifier": rest.replace(" ", ""),
            "url": url, "marker": marker}

# ---------------------------------------------------------------- installed distributions
REQUIRED_BY = {}

def check_distributions(problems):
    try:
        import importlib.metadata as md
    except ImportError:
        return []
    env = marker_env()
    installed = {}
    for dist in md.distributions():
        try:
            name = dist.metadata["Name"]
        except Exception:
            name = None
        if not name:
            continue
        key = normalize(name)
        if key in installed:
            continue
        location = ""
        try:
            location = str(dist.locate_file(""))
        except Exception:
            pass
        installed[key] = {"name": name, "version": dist.version, "requires": list(dist.requires or []),
                          "location": location}
    requested = dict((k, set()) for k in installed)
    checked = set()
    changed = True
    while changed:
        changed = False
        for key, info in installed.items():
            extras = requested[key]
            for raw in info["requires"]:
                if (key, raw, tuple(sorted(extras))) in checked:
                    continue
                checked.add((key, raw, tuple(sorted(extras))))
                try:
                    req = parse_requirement(raw)
                    if req["marker"] and not eval_marker(parse_marker(req["marker"]), env, extras):
                        continue
                except ValueError as e:
                    problems.append({"distribution": info["name"], "requirement": raw, "problem": "unreadable: %s" % e})
                    continue
                REQUIRED_BY.setdefault(req["normalized"], set()).add(info["name"])
                dep = installed.get(req["normalized"])
                if dep is None:
                    problems.append({"distribution": info["name"], "requirement": raw, "problem": "not installed"})
                    continue
                try:
                    ok = specifier_match(dep["version"], req["specifier"])
                except ValueError:
                    ok = True
                if not ok:
                    problems.append({"distribution": info["name"], "requirement": raw,
                                     "problem": "installed %s %s does not satisfy it" % (dep["name"], dep["version"])})
                new = set(req["extras"]) - requested[req["normalized"]]
                if new:
                    requested[req["normalized"]] |= new
                    changed = True
    return sorted(({"name": v["name"], "version": v["version"], "location": v["location"]} for v in installed.values()),
                  key=lambda d: normalize(d["name"]))

# ---------------------------------------------------------------- ELF: DT_NEEDED and library resolution
def elf_dynamic(path):
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 52 or head[:4] != b"\x7fELF":
            return None
        is64 = head[4] == 2
        end = "<" if head[5] == 1 else ">"
        if is64:
            shoff, = struct.unpack(end + "Q", head[40:48])
            shentsize, shnum = struct.unpack(end + "HH", head[58:62])
        else:
            shoff, = struct.unpack(end + "I", head[32:36])
            shentsize, shnum = struct.unpack(end + "HH", head[46:50])
        if shoff == 0 or shnum == 0 or shnum > 10000:
            return None
        f.seek(shoff)
        raw = f.read(shentsize * shnum)
        sections = []
        for i in range(shnum):
            s = raw[i * shentsize:(i + 1) * shentsize]
            if is64:
                _, typ, _, _, off, size, link, _, _, entsize = struct.unpack(end + "IIQQQQIIQQ", s[:64])
            else:
                _, typ, _, _, off, size, link, _, _, entsize = struct.unpack(end + "IIIIIIIIII", s[:40])
            sections.append((typ, off, size, link, entsize))
        needed, rpath, runpath = [], [], []
        for typ, off, size, link, entsize in sections:
            if typ != 6 or link >= len(sections):  # SHT_DYNAMIC
                continue
            _, stroff, strsize, _, _ = sections[link]
            f.seek(stroff)
            strtab = f.read(min(strsize, 16 * 1024 * 1024))
            f.seek(off)
            dyn = f.read(min(size, 16 * 1024 * 1024))
            step = 16 if is64 else 8
            fmt = end + ("qQ" if is64 else "iI")

            def sval(o):
                e = strtab.find(b"\0", o)
                return strtab[o:e if e >= 0 else len(strtab)].decode("utf-8", "replace")

            for i in range(0, len(dyn) - step + 1, step):
                tag, val = struct.unpack(fmt, dyn[i:i + step])
                if tag == 0:
                    break
                if tag == 1:
                    needed.append(sval(val))
                elif tag == 15:
                    rpath.extend(sval(val).split(":"))
                elif tag == 29:
                    runpath.extend(sval(val).split(":"))
        return {"needed": needed, "rpath": [p for p in rpath if p], "runpath": [p for p in runpath if p]}

def ld_dirs():
    dirs = []

    def read_conf(path, depth=0):
        if depth > 5:
            return
        try:
            lines = open(path).read().splitlines()
        except OSError:
            return
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("include "):
                pattern = line[len("include "):].strip()
                if not pattern.startswith("/"):
                    pattern = os.path.join(os.path.dirname(path), pattern)
                for inc in sorted(glob.glob(pattern)):
                    read_conf(inc, depth + 1)
            else:
                dirs.append(line)

    read_conf("/etc/ld.so.conf")
    machine = platform.machine()
    triplet = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu", "armv7l": "arm-linux-gnueabihf",
               "i686": "i386-linux-gnu", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu"}.get(machine, "")
    for d in ("/lib/" + triplet, "/usr/lib/" + triplet, "/lib", "/usr/lib", "/lib64", "/usr/lib64"):
        if d not in dirs:
            dirs.append(d)
    return dirs

def site_dirs():
    out = []
    for p in sys.path:
        if p and os.path.isdir(p) and (p.endswith("site-packages") or p.endswith("dist-packages")):
            real = os.path.realpath(p)
            if real not in out:
                out.append(real)
    return out

def check_native(missing_out):
    system_dirs = ld_dirs()
    env_dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    scanned = 0
    missing = {}
    dlopen_cache = {}
    for root in site_dirs():
        for dirpath, dirnames, filenames in os.walk(root):
            for fn in filenames:
                if not (fn.endswith(".so") or ".so." in fn):
                    continue
                path = os.path.join(dirpath, fn)
                if os.path.islink(path):
                    continue
                try:
                    info = elf_dynamic(path)
                except (OSError, struct.error):
                    continue
                if info is None:
                    continue
                scanned += 1
                origin = os.path.dirname(path)

                def expand(ds):
                    return [d.replace("$ORIGIN", origin).replace("$" + "{ORIGIN}", origin) for d in ds]

                # the object's own directory: auditwheel's vendored libs (pkg.libs/) are found through
                # the extension module's rpath, which ld.so applies to their dependencies too
                search = (expand(info["rpath"]) if not info["runpath"] else []) + env_dirs + expand(info["runpath"]) + system_dirs + [origin]
                for lib in info["needed"]:
                    if "/" in lib:
                        found = os.path.exists(lib)
                    else:
                        found = any(os.path.exists(os.path.join(d, lib)) for d in search)
                    if not found:
                        if lib not in dlopen_cache:
                            ok = False
                            try:
                                import ctypes
                                ctypes.CDLL(lib)
                                ok = True
                            except Exception:
                                ok = False
                            dlopen_cache[lib] = ok
                        found = dlopen_cache[lib]
                    if not found:
                        missing.setdefault(lib, []).append(path)
    for lib in sorted(missing):
        missing_out.append({"soname": lib, "neededBy": sorted(missing[lib])[:5]})
    return scanned

# ---------------------------------------------------------------- compilers, headers, tools
def check_toolchain():
    found = []
    dirs = [d for d in os.environ.get("PATH", "").split(":") if d] + ["/usr/bin", "/usr/local/bin", "/bin"]
    seen = set()
    for d in dirs:
        if d in seen:
            continue
        seen.add(d)
        for name in ("gcc", "cc", "g++", "c++", "clang", "make"):
            p = os.path.join(d, name)
            if os.path.exists(p) and os.access(p, os.X_OK):
                found.append(p)
        for p in glob.glob(os.path.join(d, "gcc-[0-9]*")) + glob.glob(os.path.join(d, "x86_64-linux-gnu-gcc*")):
            if os.access(p, os.X_OK):
                found.append(p)
    headers = sorted(set(glob.glob("/usr/include/python3*") + glob.glob("/usr/local/include/python3*")))
    dev_packages = []
    try:
        status = open("/var/lib/dpkg/status", encoding="utf-8", errors="replace").read()
        blocks = status.split("\n\n")
    except OSError:
        blocks = []
    for path in glob.glob("/var/lib/dpkg/status.d/*"):
        try:
            blocks.append(open(path, encoding="utf-8", errors="replace").read())
        except OSError:
            pass
    for block in blocks:
        pkg = re.search(r"^Package:\s*(\S+)", block, re.M)
        st = re.search(r"^Status:\s*(.+)$", block, re.M)
        if not pkg or (st and "installed" not in st.group(1).split()):
            continue
        name = pkg.group(1)
        if name.endswith("-dev") or re.match(r"^(gcc|g\+\+|cpp|build-essential|make)(-\d+)?$", name):
            dev_packages.append(name)
    return sorted(set(found)), headers, sorted(set(dev_packages))

def check_tools(distributions):
    in_venv = sys.prefix != RESULT["basePrefix"]
    prefix = os.path.realpath(sys.prefix)
    bad = []
    for d in distributions:
        if normalize(d["name"]) not in ("pip", "setuptools", "poetry", "poetry-core", "pdm", "pipenv", "uv", "wheel"):
            continue
        if REQUIRED_BY.get(normalize(d["name"])):
            # a run-time requirement of the app's own dependencies (old gunicorn imports pkg_resources)
            continue
        loc = os.path.realpath(d["location"]) if d["location"] else ""
        if in_venv and not loc.startswith(prefix + os.sep):
            continue  # the system interpreter's own pip is not the app's environment
        bad.append("%s %s" % (d["name"], d["version"]))
    bindir = os.path.join(sys.prefix, "bin")
    for name in ("pip", "pip3", "poetry", "pdm", "pipenv", "uv"):
        p = os.path.join(bindir, name)
        if in_venv and os.path.exists(p):
            bad.append(p)
    return in_venv, sorted(set(bad))

# ---------------------------------------------------------------- imports
def check_imports(modules):
    import importlib
    results = []
    for mod in modules:
        try:
            importlib.import_module(mod)
            results.append({"module": mod, "ok": True})
        except BaseException as e:  # SystemExit and KeyboardInterrupt from app code are failures too
            msg = "%s: %s" % (type(e).__name__, e)
            entry = {"module": mod, "ok": False, "error": msg[:2000],
                     "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__))[-3000:]}
            so = re.search(r"([A-Za-z0-9_.+-]+\.so(?:\.[0-9.]+)?): cannot open shared object file", msg)
            if so:
                entry["missingLibrary"] = so.group(1)
            results.append(entry)
    return results

def main():
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    problems = []
    try:
        dists = check_distributions(problems)
    except Exception as e:
        dists = []
        problems.append({"distribution": "?", "requirement": "", "problem": "metadata scan failed: %s" % e})
    RESULT["distributions"] = dists
    RESULT["dependencyProblems"] = problems
    missing = []
    try:
        RESULT["soScanned"] = check_native(missing)
    except Exception as e:
        RESULT["soScanned"] = 0
        RESULT["nativeError"] = str(e)
    RESULT["missingLibraries"] = missing
    compilers, headers, devpkgs = check_toolchain()
    RESULT["compilers"] = compilers
    RESULT["pythonHeaders"] = headers
    RESULT["devPackages"] = devpkgs
    RESULT["inVenv"], RESULT["tools"] = check_tools(dists)
    RESULT["siteDirs"] = site_dirs()
    RESULT["imports"] = check_imports(cfg.get("imports", []))
    sys.stdout.flush()
    sys.stdout.write("\n" + "PYCONTAIN-VERIFY:" + json.dumps(RESULT) + "\n")
    sys.stdout.flush()

if __name__ == "__main__":
    main()
`;
