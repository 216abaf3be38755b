"""Run Alembic programmatically, so `undercover migrate` works from an installed package."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    # Files named <revision>_<date>_<slug>.py list in the order they apply.
    cfg.set_main_option("file_template", "%%(rev)s_%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def new_revision(message: str) -> None:
    """Autogenerate a migration from the models against a scratch SQLite database at head."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/scratch.db"
        upgrade(url)
        cfg = alembic_config(url)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        command.revision(cfg, message=message, autogenerate=True, rev_id=f"{int(head or 0) + 1:04d}")


if __name__ == "__main__":
    import sys

    new_revision(" ".join(sys.argv[1:]) or "schema change")
