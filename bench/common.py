"""What the benchmarks share: a work folder and a throwaway embedded server, child processes that report their
own peak memory, and case records in the contract's shape."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Ngọc Dũng", "Huỳnh Thị Hà"]
NFD_NAMES = [unicodedata.normalize("NFD", n) for n in NAMES]
START = dt.datetime(2025, 1, 2, 8, 0)


def work_folder(prefix: str) -> Path:
    """A new folder under the project's .tmp/ (made first: a fresh clone has none)."""
    (ROOT / ".tmp").mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=ROOT / ".tmp"))


@contextlib.contextmanager
def throwaway_server(prefix: str):
    """(work folder, URL of the maintenance database) of a new embedded server, removed afterwards."""
    from warehouse.embedded import EmbeddedPostgres

    work = work_folder(prefix)
    server = EmbeddedPostgres(work / "pgdata")
    try:
        yield work, server.ensure_running().url("postgres")
    finally:
        server.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)


def keep_or_remove(server, work: Path, keep: bool, what: str) -> None:
    """At the end of a bench: leave the server and the data for a look (--keep), else remove both."""
    if keep:
        print(f"kept: {what}; data in {work}")
    else:
        server.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)


def fresh_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def settle(url: str) -> float:
    """VACUUM ANALYZE the database: what autovacuum does in the day between two nights. Without it the night
    after a full build shares the two cores with autovacuum working through the tables just built, a cost
    of the benchmark's timing, not of a night. Its seconds."""
    import time

    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum (analyze)")
    return time.perf_counter() - started


def child(script: str, *args: str) -> dict:
    """Run `script --child args...` in its own process (so its peak memory is its own); its last JSON line."""
    result = subprocess.run([sys.executable, script, "--child", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def peak_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so
    a child of a large parent would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**figures) -> int:
    """Print this process's figures and its peak resident memory as one JSON line (what `child` returns)."""
    print(json.dumps({**figures, "peak_mib": peak_mib()}))
    return 0


def case_record(i: int, rng: random.Random) -> dict:
    """Case record number `i` in the contract's shape, with Vietnamese text (some NFD) and local timestamps."""
    received = START + dt.timedelta(minutes=i // 3)
    finished = received + dt.timedelta(days=rng.randint(0, 20))
    return {
        "MaHoSo": f"XA-22366-{i:09d}",
        "MaTTHC": rng.choice(["1.004227", "1.001193", "2.000815", "2.000488"]),
        "MaDonVi": rng.choice(["XA-22366", "PH-22333", "SO-TP", "CNDK-568"]),
        "KenhNop": rng.choice([1, 2, 2, 3]),
        "MucDoDVC": rng.choice([None, "TOAN_TRINH", "MOT_PHAN"]),
        "NgayTiepNhan": received.isoformat(timespec="seconds"),
        "NgayHenTra": (received + dt.timedelta(days=10)).isoformat(timespec="seconds") + "+07:00",
        "NgayKetThuc": finished.isoformat(timespec="seconds"),
        "NgayTraKetQua": None,
        "TrangThai": "DA_XU_LY",
        "CoPhi": True,
        "ThanhToanTrucTuyen": rng.random() < 0.5,
        "DaSoHoa": True,
        "KetQuaDienTu": False,
        "DongBoDVCQG": True,
        "CoThuXinLoi": False,
        "ChuHoSo": rng.choice(NFD_NAMES if rng.random() < 0.05 else NAMES),
        "SoGiayTo": f"0{rng.randint(10**10, 10**11 - 1)}",
        "SoDienThoai": f"09{rng.randint(10**7, 10**8 - 1)}",
        "DiaChi": "Số 12 đường Trần Phú, Phường Nha Trang",
        "NgayCapNhat": finished.isoformat(timespec="seconds"),
    }
