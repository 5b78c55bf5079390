"""The project in a folder others cannot enter (root's home, a `mktemp -d` folder): the embedded server still
starts and a night runs. Under root the server runs as its own OS user, which must reach its binaries and its
data folder; warehouse/embedded.py places them in SHARED_DIR instead of loosening the user's folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from warehouse.config import ENVIRONMENT, PROJECT_ROOT
from warehouse.embedded import SHARED_DIR, EmbeddedPostgres

AS_ROOT = os.geteuid() == 0


def _checkout_copy(target: Path) -> None:
    """The files of this checkout as they stand (tracked and new, not ignored): what a clone would hold."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _own_environment() -> dict[str, str]:
    """The caller's environment without anything that points at this checkout or the test server."""
    ours = set(ENVIRONMENT) | {"TEST_DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH"}
    return {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("AIRFLOW")}


@pytest.mark.slow
def test_a_night_runs_from_a_clone_in_a_mode_700_folder():
    private = Path(tempfile.mkdtemp(prefix="private-"))  # mode 700, like root's home
    project = private / "project"
    try:
        assert private.stat().st_mode & 0o777 == 0o700
        _checkout_copy(project)
        # the project's own pinned uv, so the test does not reinstall it; the venv is the clone's own
        uv = PROJECT_ROOT / ".tools" / "bin" / "uv"
        result = subprocess.run(
            ["make", "run", f"UV={uv}"],
            cwd=project,
            env=_own_environment(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-4000:]
        assert "nightly_load succeeded" in output
        assert "case_on_time_rate" in output or "Tỷ lệ" in output, output[-2000:]
        assert private.stat().st_mode & 0o777 == 0o700, "the user's folder was loosened"
        if AS_ROOT:
            data = project / ".pgdata"
            assert data.is_symlink() and data.resolve().is_relative_to(SHARED_DIR / "clusters")
            assert f"cannot enter {private}" in output
    finally:
        EmbeddedPostgres(project / ".pgdata").destroy()
        shutil.rmtree(private, ignore_errors=True)


@pytest.mark.skipif(not AS_ROOT, reason="only root's server runs as another OS user")
def test_an_unreachable_data_folder_that_holds_files_stops_with_what_to_do():
    private = Path(tempfile.mkdtemp(prefix="private-"))  # in /tmp, which anyone may enter
    try:
        data = private / "pgdata"
        data.mkdir()
        (data / "notes.txt").write_text("someone else's files")
        with pytest.raises(RuntimeError) as error:
            EmbeddedPostgres(data).ensure_running()
        message = str(error.value)
        assert "embedded_postgres" in message and f"cannot enter {private}" in message
        assert "PGDATA_DIR" in message and f"chmod o+x {private}" in message
        assert (data / "notes.txt").read_text() == "someone else's files"
        assert private.stat().st_mode & 0o777 == 0o700
    finally:
        shutil.rmtree(private)
