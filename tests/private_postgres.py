"""A throwaway PostgreSQL server of the test's own, to stop and start at will.

Never the shared server on port 5432: other tests and CI use that one. This one lives in a temporary
directory, listens on a free loopback port with trust authentication, and is gone when the block ends:

    with PrivatePostgres() as pg:
        url = pg.url                # postgresql+psycopg://postgres@127.0.0.1:<port>/undercover
        pg.crash()                  # pg_ctl stop -m immediate: backends die, no checkpoint
        pg.start()                  # same data directory, same port; crash recovery replays the WAL

initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import require
from tests.server_process import free_port


def postgres_bin_dir() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"):
        found = sorted(glob.glob(pattern), key=lambda p: [int(x) for x in p.split("/") if x.isdigit()] or [0])
        for candidate in reversed(found):
            if (Path(candidate) / "initdb").exists():
                return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self, database: str = "undercover"):
        self.bin = postgres_bin_dir()
        require(self.bin is not None, "initdb not found (install the PostgreSQL server package)")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                self.owner = None
            require(self.owner is not None, "running as root needs a `postgres` OS user to run initdb")
        self.port = free_port()
        self.database = database
        self.dir = Path(tempfile.mkdtemp(prefix="uc-pg-"))  # short: the socket path must fit in 107 bytes
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def _check(self, result: subprocess.CompletedProcess, what: str) -> None:
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr[-2000:]}\n{log}")

    def init(self) -> None:
        if self.as_root:
            os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)
        self._check(self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync",
                              "-E", "UTF8", "--locale=C.UTF-8"), "initdb")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._check(self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                              "-o", options, "start"), "pg_ctl start")

    def crash(self) -> None:
        """Stop at once, as a crash would: backends are killed, open connections drop, nothing is flushed
        beyond what committed transactions already wrote to the WAL."""
        self._check(self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"), "pg_ctl stop")

    def create_database(self) -> None:
        self._check(self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                              "-q", "-c", f'CREATE DATABASE "{self.database}"'), "CREATE DATABASE")

    def __enter__(self) -> "PrivatePostgres":
        try:
            self.init()
            self.start()
            self.create_database()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
