"""The app shell as files: the first load (precached on install, preloaded, within budget) and the rest
(cached in the background), both made from the one list of screens in js/screens.js; CSP-safe."""

import gzip
import hashlib
import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "mobile_pwa"
FIRST_LOAD_BUDGET = 45 * 1024


def shell_files() -> set[str]:
    """Every file the app serves, as the service worker names it (index.html is the scope root './')."""
    names = {p.relative_to(PWA).as_posix() for p in PWA.rglob("*") if p.is_file()}
    names.discard("sw.js")  # the worker itself is fetched by the browser, never from its own cache
    return {"./" if name == "index.html" else name for name in names}


def screens() -> list[dict]:
    """js/screens.js's SCREENS and PARTS, one entry a line: {name, files, first}."""
    source = (PWA / "js" / "screens.js").read_text()
    out = []
    for block in ("SCREENS", "PARTS"):
        body = re.search(rf"export const {block} = \[\n(.*?)\n\];", source, re.S)
        assert body, f"js/screens.js must declare `export const {block} = [` with one entry a line"
        for line in body.group(1).splitlines():
            name = re.search(r"name: '([^']+)'", line)
            files = re.search(r"files: \[([^\]]*)\]", line)
            assert name and files, f"js/screens.js: one entry a line, with its name and files: {line!r}"
            out.append({"name": name[1], "files": re.findall(r"'([^']+)'", files[1]), "first": "first: true" in line})
    return out


def core() -> list[str]:
    block = re.search(r"export const CORE = \[(.*?)\];", (PWA / "js" / "screens.js").read_text(), re.S)
    assert block, "js/screens.js must declare `export const CORE = [...]`"
    return re.findall(r"'([^']+)'", block.group(1))


def first_load() -> list[str]:
    """What a new phone downloads before it can log a visit offline (besides sw.js itself)."""
    names = core() + [f for s in screens() if s["first"] for f in s["files"]]
    return list(dict.fromkeys(names))


def install_icons() -> list[str]:
    block = re.search(r"export const INSTALL = \[(.*?)\];", (PWA / "js" / "screens.js").read_text(), re.S)
    assert block, "js/screens.js must declare `export const INSTALL = [...]`"
    return re.findall(r"'([^']+)'", block.group(1))


def later() -> list[str]:
    first = set(first_load())
    files = [f for s in screens() for f in s["files"]] + install_icons()
    return list(dict.fromkeys(f for f in files if f not in first))


def gzipped(name: str) -> int:
    path = PWA / ("index.html" if name == "./" else name)
    return len(gzip.compress(path.read_bytes(), 9, mtime=0))


def static_imports(name: str) -> set[str]:
    """The modules a module imports statically (`import(...)` loads later, when needed)."""
    source = (PWA / name).read_text()
    found = re.findall(r"^(?:import|export)\s[^;]*?from\s+'([^']+)';", source, re.M | re.S)
    found += re.findall(r"^import\s+'([^']+)';", source, re.M)
    base = (PWA / name).parent
    return {(base / target).resolve().relative_to(PWA.resolve()).as_posix() for target in found}


def import_closure(names) -> set[str]:
    seen: set[str] = set()
    todo = [n for n in names if n.endswith(".js")]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(static_imports(name))
    return seen


def test_every_shell_file_is_in_the_first_load_or_in_the_rest():
    first, rest = first_load(), later()
    assert not set(first) & set(rest)
    missing = shell_files() - set(first) - set(rest)
    assert not missing, f"files in neither list of js/screens.js (add them to CORE or to a screen): {sorted(missing)}"
    stale = (set(first) | set(rest)) - shell_files()
    assert not stale, f"js/screens.js lists files that do not exist: {sorted(stale)}"
    for screen in screens():
        assert screen["files"][0].startswith("js/views/"), screen


def test_each_list_holds_what_its_modules_import():
    """The first load works offline only if nothing in it imports a file of the rest (and the worker's own
    imports are in it too); each screen names what it imports beyond CORE, so the lists stay honest."""
    first = set(first_load())
    outside = import_closure(first_load() + ["sw.js"]) - first - {"sw.js"}
    assert not outside, f"the first load imports files that are not in it: {sorted(outside)}"
    for screen in screens():
        extra = import_closure(screen["files"][:1]) - set(core()) - set(screen["files"])
        assert not extra, f"screen {screen['name']} imports files it does not list: {sorted(extra)}"
    lazy = set(later())
    assert not static_imports("app.js") & lazy, "app.js loads the other screens with import(), when first opened"


def test_service_worker_precaches_the_first_load_and_the_rest_later():
    source = (PWA / "sw.js").read_text()
    assert "import { FIRST_LOAD, LATER } from './js/screens.js';" in source
    assert "await cache.addAll(FIRST_LOAD);" in source
    assert "for (const name of LATER)" in source


def shell_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in PWA.rglob("*") if p.is_file() and p.name != "sw.js"):
        digest.update(path.relative_to(PWA).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:10]


def test_service_worker_version_changes_with_the_shell():
    """A changed shell file with an unchanged sw.js would never reach the phones that cached the old one."""
    version = re.search(r"const VERSION = '([^']+)';", (PWA / "sw.js").read_text())
    assert version, "sw.js must declare `const VERSION = '...'`"
    expected = shell_fingerprint()
    assert version.group(1) == expected, f"the shell changed: set `const VERSION = '{expected}';` in mobile_pwa/sw.js"


def test_service_worker_cache_names_are_prefixed():
    source = (PWA / "sw.js").read_text()
    assert "const PREFIX = 'undercover-';" in source


def test_first_load_fits_the_gzip_budget():
    """Static half of the budget (tests/e2e/test_pwa_first_load.py measures a real first visit in Chromium)."""
    sizes = {name: gzipped(name) for name in [*first_load(), "sw.js"]}
    total = sum(sizes.values())
    table = "\n".join(f"{n:6d}  {name}" for name, n in sorted(sizes.items(), key=lambda kv: -kv[1]))
    assert total <= FIRST_LOAD_BUDGET, f"first load is {total} bytes gzipped, budget {FIRST_LOAD_BUDGET}:\n{table}"


def test_markup_and_scripts_stay_within_the_content_security_policy():
    html = (PWA / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> is blocked by the CSP"
    assert "<style" not in html and " style=" not in html, "inline styles are blocked by the CSP"
    assert not re.search(r"\bon[a-z]+=", html), "inline event handlers are blocked by the CSP"
    for path in PWA.rglob("*.js"):
        code = path.read_text()
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert banned not in code, f"{path.name} uses {banned}"


def test_first_load_modules_are_preloaded_so_it_is_not_a_waterfall():
    """Exactly the first load's modules: the rest would only compete with it for the connection."""
    html = (PWA / "index.html").read_text()
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    assert len(preloaded) == len(set(preloaded))
    modules = {name for name in first_load() if name.endswith(".js") and name != "app.js"}
    assert set(preloaded) == modules


def test_manifest_makes_the_app_installable():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["start_url"] and manifest["name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (PWA / icon["src"]).is_file()
