import os
import subprocess
import sys


def run_cli(database_url: str, *args: str, stdin: str | None = None, cwd=None) -> subprocess.CompletedProcess:
    """Run `python -m api ...` as a user would, against the test database."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "api", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)
