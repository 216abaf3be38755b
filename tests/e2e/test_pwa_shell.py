"""The app shell as files: every one precached by the service worker, within budget, CSP-safe."""

import gzip
import hashlib
import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "mobile_pwa"
BUDGET_BYTES = 60 * 1024


def shell_files() -> set[str]:
    """Every file the app serves, as the service worker names it (index.html is the scope root './')."""
    names = {p.relative_to(PWA).as_posix() for p in PWA.rglob("*") if p.is_file()}
    names.discard("sw.js")  # the worker itself is fetched by the browser, never from its own cache
    return {"./" if name == "index.html" else name for name in names}


def precache_list() -> list[str]:
    source = (PWA / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S)
    assert block, "sw.js must declare `const SHELL = [...]`"
    return re.findall(r"'([^']+)'", block.group(1))


def test_every_shell_file_is_in_the_precache_list():
    listed = precache_list()
    assert len(listed) == len(set(listed)), "duplicates in SHELL"
    missing = shell_files() - set(listed)
    assert not missing, f"files not precached by sw.js (add them to SHELL and bump VERSION): {sorted(missing)}"
    stale = set(listed) - shell_files()
    assert not stale, f"SHELL lists files that do not exist: {sorted(stale)}"


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
    assert "await cache.addAll(" in source


def test_shell_fits_the_gzip_budget():
    total = sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in PWA.rglob("*") if p.is_file())
    assert total <= BUDGET_BYTES, f"shell is {total} bytes gzipped, budget {BUDGET_BYTES}"


def test_markup_and_scripts_stay_within_the_content_security_policy():
    html = (PWA / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> is blocked by the CSP"
    assert "<style" not in html and " style=" not in html, "inline styles are blocked by the CSP"
    assert not re.search(r"\bon[a-z]+=", html), "inline event handlers are blocked by the CSP"
    for path in PWA.rglob("*.js"):
        code = path.read_text()
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert banned not in code, f"{path.name} uses {banned}"


def test_every_module_is_preloaded_so_the_first_load_is_not_a_waterfall():
    html = (PWA / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    modules = {p.relative_to(PWA).as_posix() for p in (PWA / "js").rglob("*.js")}
    assert preloaded == modules


def test_manifest_makes_the_app_installable():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["start_url"] and manifest["name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (PWA / icon["src"]).is_file()
