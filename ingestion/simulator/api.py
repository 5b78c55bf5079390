"""The simulated sources' HTTP API, serving what the simulator wrote to a landing folder.

  GET /<resource>?updated_since=<ISO-8601>&page=<n>&page_size=<k>  ->  {"items": [...], "page": n, "pages": N}

Resources: motcua/hoso, motcua/sukien, motcua/dm_tthc, motcua/dm_donvi, pakn, baocao/dm_chitieu, baocao.
For records with NgayCapNhat (cases, feedback) each key is served in its latest version as of the server's
clock (`now`), if that version changed after `updated_since`; events are filtered on ThoiDiem; catalogues
are served whole. `baocao` serves report workbooks as {"TenTep", "NgayNop", "NgayCapNhat", "TepBase64"}.
Faults can be injected for tests: the first `fail_first` requests answer 500, or every answer is delayed. A
`credential` (a header and its value) makes every other request answer 401. A landing folder in the portal's shape
(DongBoHoSoMC envelopes, CapNhatTienDoHoSoMC updates) is served as the portal's records, and the saved monthly 766
answers under `dvcqg_766/` as the portal's evaluation API (`POST /api/v1/reporting/evaluation/<endpoint>`).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import math
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from ingestion.dvcqg import local_timestamp

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _moment(text: str) -> dt.datetime:
    """ISO-8601, or one of the portal's forms (20250115083000, 15/01/2025 08:30:00): local unless it says otherwise."""
    value = dt.datetime.fromisoformat(local_timestamp(text, "timestamp", Counter()))
    return value if value.tzinfo else value.replace(tzinfo=LOCAL)


@dataclass
class Faults:
    fail_first: int = 0  # answer 500 to this many requests first
    delay_seconds: float = 0.0  # sleep before every answer (to provoke client time-outs)
    endless_pages: bool = False  # every answer says there is one page more than the one asked for
    announce_pages: int | None = None  # claim this many pages, whatever the data
    pad_bytes: int = 0  # make every answer this much longer (a `padding` member beside the items)
    resource: str | None = None  # the three faults above hit only this resource (every one when None)
    requests: int = 0


class SourceData:
    """Everything in a landing folder, indexed for the API (small and medium data sets only)."""

    def __init__(self, landing: Path):
        self.versions: dict[str, dict[str, list[dict]]] = {"motcua/hoso": {}, "pakn": {}}
        self.events: list[dict] = []
        self.catalogues: dict[str, list[dict]] = {}
        self.reports: list[dict] = []
        for path in sorted((landing / "motcua").glob("hoso*.jsonl")):
            self._add_versions("motcua/hoso", path, "MaHoSo")
        for path in sorted((landing / "pakn").glob("pakn*.jsonl")):
            self._add_versions("pakn", path, "MaPAKN")
        for path in sorted((landing / "motcua").glob("DongBoHoSoMC*.json")):  # the portal's shape: envelopes
            for record in json.loads(path.read_text(encoding="utf-8"))["data"]:
                self.versions["motcua/hoso"].setdefault(record["MaHoSo"], []).append(record)
        for path in sorted((landing / "motcua").glob("CapNhatTienDoHoSoMC*.jsonl")):  # and progress updates
            with open(path, encoding="utf-8") as handle:
                self.events.extend(json.loads(line) for line in handle)
        self.official: dict[tuple[str, int, int], dict] = {}  # (endpoint, year, month) -> the portal's answer
        for path in sorted(landing.glob("dvcqg_766/*.json")):
            saved = json.loads(path.read_text(encoding="utf-8"))
            request = saved["request"]
            if request.get("timeType") == "month":
                self.official[(request["endpoint"], request["year"], request["month"])] = saved["response"]
        for path in sorted((landing / "motcua").glob("sukien*.csv")):
            with open(path, encoding="utf-8") as handle:
                self.events.extend({k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle))
        for resource, pattern in (
            ("motcua/dm_tthc", "motcua/dm_tthc*.csv"),
            ("motcua/dm_donvi", "motcua/dm_donvi*.csv"),
            ("baocao/dm_chitieu", "baocao/dm_chitieu*.csv"),
        ):
            rows: list[dict] = []
            for path in sorted(landing.glob(pattern)):
                with open(path, encoding="utf-8") as handle:
                    rows.extend({k: (v or None) for k, v in row.items()} for row in csv.DictReader(handle))
            self.catalogues[resource] = rows
        arrived = {}  # the fake reporting system received each workbook when the office's register says
        for path in sorted((landing / "baocao").glob("so_den*.csv")):
            with open(path, encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    arrived[(row["MaDonVi"], row["LoaiBaoCao"], row["KyBaoCao"])] = row["NgayDen"]
        for path in sorted((landing / "baocao").rglob("*.xlsx")):
            agency, _, report_type = path.stem.partition("_")
            filed = arrived.get((agency, report_type, path.parent.name))
            if filed is None:  # not a simulated report (a bad input): received when it was written
                filed = dt.datetime.fromtimestamp(path.stat().st_mtime, LOCAL).isoformat(timespec="seconds")
            else:
                filed = dt.datetime.fromisoformat(filed).replace(tzinfo=LOCAL).isoformat()
            self.reports.append(
                {
                    "TenTep": path.name,
                    "NgayNop": filed,
                    "NgayCapNhat": filed,
                    "TepBase64": base64.b64encode(path.read_bytes()).decode(),
                }
            )

    def _add_versions(self, resource: str, path: Path, key: str) -> None:
        store = self.versions[resource]
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                store.setdefault(record[key], []).append(record)

    def items(self, resource: str, since: dt.datetime | None, now: dt.datetime) -> list[dict]:
        if resource in self.versions:
            out = []
            for versions in self.versions[resource].values():
                current = [v for v in versions if _moment(v["NgayCapNhat"]) <= now]
                if current:
                    latest = max(current, key=lambda v: _moment(v["NgayCapNhat"]))
                    if since is None or _moment(latest["NgayCapNhat"]) > since:
                        out.append(latest)
            return sorted(out, key=lambda v: _moment(v["NgayCapNhat"]))
        if resource == "motcua/sukien":
            stamps = ((e, _moment(e.get("ThoiDiem") or e["ThoiDiemXuLy"])) for e in self.events)
            return [e for e, at in stamps if at <= now and (since is None or at > since)]
        if resource == "baocao":
            return [
                r
                for r in self.reports
                if _moment(r["NgayCapNhat"]) <= now and (since is None or _moment(r["NgayCapNhat"]) > since)
            ]
        if resource in self.catalogues:
            return self.catalogues[resource]
        raise KeyError(resource)


class SourceApi:
    """A running API server on 127.0.0.1 (a background thread); use as a context manager."""

    def __init__(
        self,
        landing: Path,
        now: dt.datetime,
        port: int = 0,
        faults: Faults | None = None,
        credential: tuple[str, str] | None = None,  # (header, value) every request must carry, else 401
    ):
        self.data = SourceData(Path(landing))
        self.credential = credential
        self.now = now if now.tzinfo else now.replace(tzinfo=LOCAL)
        self.faults = faults or Faults()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                api.faults.requests += 1
                if api.faults.delay_seconds:
                    threading.Event().wait(api.faults.delay_seconds)
                if api.faults.requests <= api.faults.fail_first:
                    return self._send(500, {"error": "injected failure"})
                if api.credential and self.headers.get(api.credential[0]) != api.credential[1]:
                    # as careless servers do, the answer quotes what it was sent
                    return self._send(401, {"error": f"bad credential {self.headers.get(api.credential[0])!r}"})
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                try:
                    since = _moment(query["updated_since"]) if query.get("updated_since") else None
                    page, size = int(query.get("page", 1)), min(int(query.get("page_size", 500)), 5000)
                    items = api.data.items(url.path.strip("/"), since, api.now)
                except KeyError:
                    return self._send(404, {"error": f"no resource {url.path}"})
                except ValueError as exc:
                    return self._send(400, {"error": str(exc)})
                pages = max(1, math.ceil(len(items) / size))
                faults = api.faults if api.faults.resource in (None, url.path.strip("/")) else Faults()
                if faults.endless_pages:
                    pages = page + 1
                pages = faults.announce_pages or pages
                body = {"items": items[(page - 1) * size : page * size], "page": page, "pages": pages}
                if faults.pad_bytes:
                    body["padding"] = " " * faults.pad_bytes
                return self._send(200, body)

            def do_POST(self):  # noqa: N802 (the national portal's evaluation API: monthly answers only)
                api.faults.requests += 1
                if api.credential and self.headers.get(api.credential[0]) != api.credential[1]:
                    return self._send(401, {"code": "UNAUTHORIZED"})
                endpoint = urlsplit(self.path).path.rsplit("/", 1)[-1]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if "fromDate" in body:  # handling-satisfaction asks by dates
                    year, month = int(body["fromDate"][:4]), int(body["fromDate"][5:7])
                else:
                    year, month = int(body.get("year", 0)), int(body.get("month", 0))
                answer = api.data.official.get((endpoint, year, month))
                page, size = int(body.get("currentPage", 1)), int(body.get("pageSize", 200))
                data = dict(answer["data"]) if answer else {"overview": None, "evaluation": []}
                units = data.get("evaluation") or []
                data["evaluation"] = units[(page - 1) * size : page * size]
                data["pagination"] = {
                    "total": len(units),
                    "currentPage": page,
                    "pageSize": size,
                    "totalPages": max(1, math.ceil(len(units) / size)),
                }
                if page > 1:
                    data["overview"] = None  # the province's own row comes with the first page
                return self._send(201, {"code": "OK", "data": data, "message": "OK"})

            def _send(self, status: int, body: dict):
                payload = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> SourceApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
