"""Each media test stores into its own empty folder, so "nothing stored" can be checked as it says."""

import pytest

from api.config import get_settings


@pytest.fixture(autouse=True)
def media_folder(tmp_path, monkeypatch):
    folder = tmp_path / "media"
    monkeypatch.setenv("UNDERCOVER_MEDIA_URL", folder.as_uri())
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
