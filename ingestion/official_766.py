"""The national portal's published Decision 766 scores (`dvcqg_766`, docs/sources.md): saved answers of its
evaluation API, read into one row per unit, period and metric.

A delivered file is one answer with the request that produced it, as a fetcher saves it:
  {"request": {"endpoint": "dossier-digitized", "timeType": "month", "year": 2025, "month": 8, ...},
   "response": {"code": "OK", "data": {"overview": {unit}, "evaluation": [{unit}, ...], "pagination": ...}}}
where each unit carries `departmentId`, `departmentCode`, `departmentName`, `departmentType` and `metrics[]` of
`code`, `name`, `numerator`, `denominator`, `ratio` (a percentage), `score`, `maxScore`, and may carry
`dataQualityStatus`/`dataQualityMessage`. Nulls stay null. Field spellings vary between answers (`formalityID`,
`formalityId`): names are matched without regard to case. The tree answers (dvc-progress-tree,
provide-online-tree, formality-online-payment-tree) carry raw parameters, not scores: they are rejected with that
reason, as is an answer whose `code` is not OK.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from .readers import FileRejected, SourceRow, read_json_document

REQUEST_FIELDS = ("endpoint", "timeType", "year", "quarter", "month")
UNIT_FIELDS = ("departmentId", "departmentCode", "departmentName", "departmentType")
METRIC_FIELDS = ("code", "name", "numerator", "denominator", "ratio", "score", "maxScore")
METRIC_FLAGS = ("dataQualityStatus", "dataQualityMessage")


def _folded(value: object, where: str) -> dict:
    """An object's members by lower-cased name (the portal spells some names two ways)."""
    if not isinstance(value, dict):
        raise FileRejected(f"{where} is a {type(value).__name__}, not an object")
    return {str(k).lower(): v for k, v in value.items()}


def _pick(member: dict, names: tuple[str, ...]) -> dict:
    return {name: member.get(name.lower()) for name in names}


def read_official_answer(path: Path, bound: int) -> Iterator[SourceRow]:
    document = _folded(read_json_document(path, bound, "the answer"), "the file")
    if "request" not in document or "response" not in document:
        raise FileRejected('expected {"request": ..., "response": ...}: an answer without its request has no period')
    yield from answer_rows(document["request"], document["response"])


def answer_rows(request: object, response: object) -> Iterator[SourceRow]:
    """The rows of one answer (`response`) to one request (which names the endpoint and the period)."""
    request = _folded(request, "request")
    response = _folded(response, "response")
    if response.get("code") != "OK":
        raise FileRejected(f"the portal answered code {response.get('code')!r}: {str(response.get('message'))[:200]}")
    data = _folded(response.get("data"), "response.data")
    if "parent" in data or "children" in data:
        raise FileRejected(
            f"a tree answer ({request.get('endpoint')}): parent/children carry raw parameters, not scores; not read"
        )
    header = _pick(request, REQUEST_FIELDS) | {"fetchedAt": request.get("fetchedat")}
    units = []
    if data.get("overview") is not None:
        units.append(("data.overview", data["overview"]))
    evaluation = data.get("evaluation") or []
    if not isinstance(evaluation, list):
        raise FileRejected(f"response.data.evaluation is a {type(evaluation).__name__}, not a list of units")
    units += [(f"data.evaluation[{i}]", unit) for i, unit in enumerate(evaluation)]
    if not units:
        raise FileRejected("response.data holds no unit (neither overview nor evaluation)")
    number = 0
    for where, unit in units:
        try:
            member = _folded(unit, where)
        except FileRejected as exc:
            number += 1
            yield SourceRow(number, None, str(exc), orjson.dumps(unit).decode()[:2000], where)
            continue
        metrics = member.get("metrics")
        if not isinstance(metrics, list):
            number += 1
            yield SourceRow(number, None, f"{where}.metrics is not a list", None, where)
            continue
        identity = _pick(member, UNIT_FIELDS)
        for j, metric in enumerate(metrics):
            number += 1
            cell = f"{where}.metrics[{j}]"
            if not isinstance(metric, dict):
                yield SourceRow(number, None, f"{cell}: expected an object", orjson.dumps(metric).decode()[:2000], cell)
                continue
            values = {k.lower(): v for k, v in metric.items()}
            record = header | identity | _pick(values, METRIC_FIELDS) | _pick(values, METRIC_FLAGS)
            yield SourceRow(number, record, cell=cell)


# -- pulling from the portal's evaluation API --------------------------------------------------------------------
EVALUATION = "api/v1/reporting/evaluation"
PULLED = ("transparency", "dossier-digitized", "handling-satisfaction")  # the answers with metric codes
PAGE_SIZE = 200


def completed_months(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` calendar months before `today`'s, oldest first: the portal publishes a month once it is over."""
    year, month, out = today.year, today.month, []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append((year, month))
    return out[::-1]


def _body(endpoint: str, year: int, month: int, root: str, page: int) -> dict:
    common = {"rootDepartmentId": root, "currentPage": page, "pageSize": PAGE_SIZE}
    if endpoint == "handling-satisfaction":  # asks by dates, not by period
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        return {"fromDate": f"{year}-{month:02d}-01", "toDate": last, **common}
    return {"timeType": "month", "year": year, "month": month, **common}


def pull_official(conn, client, root_department: str, months: list[tuple[int, int]], run_id: str | None = None):
    """Every page of every answer with scores for `months`, each page one batch (an answer seen before is skipped:
    the same content is loaded once). Bounded like every pull: pages per answer and bytes per page."""
    from .contracts import DVCQG_766_SCORES
    from .ingest import SourceSummary
    from .loader import Loader
    from .raw_schema import ensure_raw_schema

    ensure_raw_schema(conn)
    loader, summary = Loader(conn, run_id), SourceSummary("dvcqg_766")
    started = client.clock()
    for endpoint in PULLED:
        for year, month in months:
            page, pages = 1, 1
            while page <= pages:
                location = f"{client.base_url}/{EVALUATION}/{endpoint}#{year}-{month:02d}/page-{page}"
                if client.clock() - started > client.bounds.api_seconds:
                    message = (
                        f"still pulling after SOURCE_API_MAX_SECONDS ({client.bounds.api_seconds} s): stopped here"
                    )
                    summary.batches.append(loader.reject("dvcqg_766", DVCQG_766_SCORES.name, location, None, message))
                    return summary
                answer = client.post(f"{EVALUATION}/{endpoint}", _body(endpoint, year, month, root_department, page))
                data = answer.get("data") if isinstance(answer, dict) else None
                paging = data.get("pagination") if isinstance(data, dict) else None
                pages = paging.get("totalPages", 1) if isinstance(paging, dict) else 1
                if not isinstance(pages, int) or pages > client.bounds.api_pages:
                    message = f"pagination.totalPages {pages!r}: not a page count within SOURCE_API_MAX_PAGES"
                    summary.batches.append(loader.reject("dvcqg_766", DVCQG_766_SCORES.name, location, None, message))
                    break
                if isinstance(data, dict) and not data.get("overview") and not data.get("evaluation"):
                    break  # nothing published for that month (yet)
                request = {
                    "endpoint": endpoint,
                    "timeType": "month",
                    "year": year,
                    "month": month,
                    "fetchedAt": dt.datetime.now(dt.UTC).isoformat(),
                }
                digest = hashlib.sha256(orjson.dumps(answer, option=orjson.OPT_SORT_KEYS)).hexdigest()
                rows = answer_rows(request, answer)
                summary.batches.append(loader.load(DVCQG_766_SCORES, location, rows, content_sha256=digest, mode="api"))
                page += 1
    return summary
