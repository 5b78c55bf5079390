"""Pull the sources from their HTTP API: incremental by watermark, page by page, retrying with backoff.

`GET <base>/<resource>?updated_since=<ISO-8601>&page=<n>&page_size=<k>` returns
`{"items": [...], "page": n, "pages": N}` (docs/sources.md). Per resource the ledger keeps a watermark
(`audit.watermarks`): the newest NgayCapNhat (events: ThoiDiem) loaded so far. A pull loads the changes
after it as one batch and moves the watermark in the same transaction, so a pull that fails half-way
loads nothing and leaves the watermark where it was; the next night asks again from the same point.
Catalogues have no change stamp: they are fetched whole and skipped when identical to the last load.

Answers are bounded (ingestion/limits.py): the bytes of one answer, the pages of one pull (announced or walked,
and a `pages` value that changes while we walk is an error), the time of one pull. Items go to COPY page by page,
so memory follows the page size, not the pull. A source that does not answer (after retries with backoff) is
`SourceUnavailable`, for the task to retry; an answer that breaks the contract or a bound rejects that pull only
(`AnswerRejected`): the other resources load and the watermark stays, so the next night asks again.

Delivery security (docs/sources.md §6): a token from SOURCE_API_TOKEN is sent as a bearer token or in a named header
and kept out of every log line, error and ledger row; plain http:// is refused except to this machine, and an
address that carries a credential is refused with advice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import psycopg

from warehouse.config import motcua_dialect

from . import dvcqg
from .contracts import BAOCAO_VALUES, ENTITIES, MOTCUA_CASES, MOTCUA_EVENTS, Entity, entities_of
from .ingest import SourceSummary, known_codes
from .limits import Limits, limits
from .loader import RAISED, BatchResult, Loader, SourceDown
from .raw_schema import ensure_raw_schema
from .readers import FileRejected, SourceRow, WorkbookNotes, read_report_workbook

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


class SourceUnavailable(SourceDown):
    """The source API did not answer usefully after every retry."""


class AnswerRejected(FileRejected):
    """An answer breaks the contract or a bound: this pull loads nothing, the others go on."""


class InsecureSource(ValueError):
    """SOURCE_API_URL is not safe to use as configured; the message says what to change."""


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def checked_base_url(base_url: str, allow_http: bool) -> str:
    """The API's base URL, refused if it carries a credential or is plain http:// to another machine."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureSource(f"SOURCE_API_URL must be an http(s):// address, got {parts.scheme or 'no'} scheme")
    if parts.username or parts.password or any(k.lower() in SECRET_PARAMS for k in parse_qs(parts.query)):
        raise InsecureSource(
            "SOURCE_API_URL carries a credential (user:password@ or a token in the query), which would end up in logs"
            " and in the ledger: put it in SOURCE_API_TOKEN (and SOURCE_API_KEY_HEADER if the source wants a named"
            " header) and give the address without it"
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK and not allow_http:
        raise InsecureSource(
            f"SOURCE_API_URL is plain http:// to {parts.hostname}: the data (and any token) would cross the network"
            " unencrypted. Use https://, or set SOURCE_API_ALLOW_HTTP=1 on a closed network"
        )
    return base_url.rstrip("/")


SECRET_PARAMS = {"token", "access_token", "api_key", "apikey", "key", "password", "secret", "sig", "signature"}


class ApiClient:
    """`token` goes in `Authorization: Bearer <token>`, or in the header `key_header` names; it is never logged,
    never in an error message and never in the ledger (every location is the base URL and the resource)."""

    def __init__(
        self,
        base_url: str,
        page_size: int = 1000,
        attempts: int = 5,
        backoff_seconds: float = 1.0,
        timeout_seconds: float = 30.0,
        sleep=time.sleep,
        bounds: Limits | None = None,
        clock=time.monotonic,
        token: str | None = None,
        key_header: str | None = None,
        allow_http: bool = False,
    ):
        self.base_url = checked_base_url(base_url, allow_http)
        self.page_size, self.attempts, self.backoff = page_size, attempts, backoff_seconds
        self.timeout, self.sleep = timeout_seconds, sleep
        self.bounds, self.clock = bounds or limits(), clock
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers[key_header or "Authorization"] = token if key_header else f"Bearer {token}"
        self._token = token

    @classmethod
    def from_environment(cls, base_url: str, **kwargs) -> ApiClient:
        """SOURCE_API_TOKEN, SOURCE_API_KEY_HEADER, SOURCE_API_ALLOW_HTTP (docs/sources.md §6)."""
        return cls(
            base_url,
            token=os.environ.get("SOURCE_API_TOKEN") or None,
            key_header=os.environ.get("SOURCE_API_KEY_HEADER") or None,
            allow_http=os.environ.get("SOURCE_API_ALLOW_HTTP") == "1",
            **kwargs,
        )

    def _redacted(self, text: str) -> str:
        return text.replace(self._token, "[SOURCE_API_TOKEN]") if self._token else text

    def get(self, resource: str, params: dict) -> dict:
        return self.request(f"{self.base_url}/{resource}?{urlencode(params)}")

    def post(self, resource: str, body: dict) -> dict:
        """POST a JSON body (the national portal's evaluation API asks that way)."""
        return self.request(f"{self.base_url}/{resource}", json.dumps(body).encode())

    def request(self, url: str, data: bytes | None = None) -> dict:
        try:
            return self._request(url, data)
        except (SourceUnavailable, AnswerRejected) as exc:  # a source may echo the credential back in its error
            raise type(exc)(self._redacted(str(exc))) from None

    def _request(self, url: str, data: bytes | None) -> dict:
        verb = "GET" if data is None else "POST"
        headers = self._headers if data is None else {**self._headers, "Content-Type": "application/json"}
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                request = urllib.request.Request(url, data=data, headers=headers, method=verb)
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read(self.bounds.api_page_bytes + 1)
                if len(body) > self.bounds.api_page_bytes:
                    raise AnswerRejected(
                        f"{verb} {url}: the answer is longer than SOURCE_API_MAX_PAGE_BYTES"
                        f" ({self.bounds.api_page_bytes:,} bytes)"
                    )
                try:
                    return json.loads(body)
                except ValueError as exc:
                    raise AnswerRejected(f"{verb} {url}: the answer is not JSON ({exc})") from None
            except urllib.error.HTTPError as exc:
                if exc.code in (401, 403):
                    raise SourceUnavailable(
                        f"{verb} {url} answered HTTP {exc.code}: the source refused the credential"
                        f" ({'none sent: set SOURCE_API_TOKEN' if not self._token else 'check SOURCE_API_TOKEN'})"
                    ) from None
                if exc.code < 500:
                    raise SourceUnavailable(f"{verb} {url} answered HTTP {exc.code}: {exc.read()[:200]!r}") from None
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            if attempt < self.attempts:
                wait = self.backoff * 2 ** (attempt - 1)
                log.warning(
                    "%s %s failed (%s); retry %d/%d in %.1f s", verb, url, last, attempt, self.attempts - 1, wait
                )
                self.sleep(wait)
        raise SourceUnavailable(f"{verb} {url} failed after {self.attempts} attempts (last: {last})")

    def items(self, resource: str, since: dt.datetime | None) -> Iterator[dict]:
        """Every item of `resource` changed since `since`, page by page, within the pull's bounds."""
        started, announced, page, pages = self.clock(), None, 1, 1
        while page <= pages:
            if self.clock() - started > self.bounds.api_seconds:
                raise AnswerRejected(
                    f"{resource}: still pulling after SOURCE_API_MAX_SECONDS ({self.bounds.api_seconds} s),"
                    f" at page {page} of {pages}"
                )
            params = {"page": page, "page_size": self.page_size}
            if since is not None:
                params["updated_since"] = since.isoformat()
            body = self.get(resource, params)
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("items"), list)
                or body.get("pages").__class__ is not int
            ):
                raise AnswerRejected(f"{resource} page {page}: not the contract's shape (items, page, pages)")
            pages = body["pages"]
            if announced is None:
                announced = pages
            elif pages != announced:
                raise AnswerRejected(
                    f"{resource} page {page}: the answer now says {pages} pages, the first said {announced}"
                )
            if pages > self.bounds.api_pages:
                raise AnswerRejected(
                    f"{resource} page {page}: {pages:,} pages announced, more than SOURCE_API_MAX_PAGES"
                    f" ({self.bounds.api_pages:,})"
                )
            yield from body["items"]
            page += 1


def _stamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None  # the loader quarantines it; it does not move the watermark
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def watermark(conn: psycopg.Connection, source: str, resource: str) -> dt.datetime | None:
    row = conn.execute(
        "select watermark from audit.watermarks where source = %s and resource = %s", (source, resource)
    ).fetchone()
    return row[0] if row else None


def _move_watermark(source: str, resource: str, newest: list):
    def finalize(conn: psycopg.Connection, batch_id: int) -> None:
        if newest[0] is None:
            return
        conn.execute(
            "insert into audit.watermarks (source, resource, watermark) values (%s, %s, %s)"
            " on conflict (source, resource) do update set watermark = greatest(audit.watermarks.watermark,"
            " excluded.watermark), updated_at = clock_timestamp()",
            (source, resource, newest[0]),
        )
        conn.execute("update audit.batches set range_to = %s where batch_id = %s", (newest[0], batch_id))

    return finalize


def pull_source(conn: psycopg.Connection, source: str, client: ApiClient, run_id: str | None = None) -> SourceSummary:
    ensure_raw_schema(conn)
    loader = Loader(conn, run_id)
    summary = SourceSummary(source)
    for entity in sorted(entities_of(source), key=ENTITIES.index):
        if entity.api_resource is None:  # delivered as files only (the office's register)
            continue
        try:
            if entity is BAOCAO_VALUES:
                summary.batches.extend(_pull_reports(conn, loader, client))
            elif entity.version_field:
                summary.batches.append(_pull_changes(conn, loader, client, entity))
            else:
                summary.batches.append(_pull_catalogue(loader, client, entity))
        except RAISED:
            raise
        except AnswerRejected as exc:  # raised before any row (e.g. the first page): the pull is rejected
            location = f"{client.base_url}/{entity.api_resource}"
            summary.batches.append(loader.reject(source, entity.name, location, None, str(exc), mode="api"))
        except Exception as exc:  # anything unforeseen costs this pull only; the watermark stays
            log.error("pull of %s failed: %s: %s", entity.api_resource, type(exc).__name__, exc, exc_info=exc)
            location = f"{client.base_url}/{entity.api_resource}"
            summary.batches.append(loader.fail(source, entity.name, location, exc, mode="api"))
    log.info(summary.describe())
    return summary


def _pull_changes(conn, loader: Loader, client: ApiClient, entity: Entity):
    resource = entity.api_resource
    since = watermark(conn, entity.source, resource)
    newest: list[dt.datetime | None] = [None]
    location = f"{client.base_url}/{resource}?updated_since={since.isoformat() if since else ''}"
    portal = entity in (MOTCUA_CASES, MOTCUA_EVENTS) and motcua_dialect() == "dvcqg"
    translator = dvcqg.Translator(dvcqg.agency_identifiers(conn)) if portal else None

    def items() -> Iterator[SourceRow]:
        for number, item in enumerate(client.items(resource, since), start=1):
            yield SourceRow(number, item)

    def rows() -> Iterator[SourceRow]:
        for row in dvcqg.translated(items(), entity, translator) if portal else items():
            record = row.record if row.error is None else None  # the portal's stamps are read once translated
            stamp = _stamp(record.get(entity.version_field)) if isinstance(record, dict) else None
            if stamp is not None and (newest[0] is None or stamp > newest[0]):
                newest[0] = stamp
            yield row

    stream = rows()
    first = next(stream, None)  # nothing changed: no empty batch in the ledger
    if first is None:
        return BatchResult(entity.source, entity.name, location, "skipped", message="no change since the watermark")

    def all_rows():
        yield first
        yield from stream

    return loader.load(
        entity,
        location,
        all_rows(),
        content_sha256=None,
        mode="api",
        range_from=since,
        finalize=_move_watermark(entity.source, resource, newest),
        **(
            {
                "dialect": "dvcqg",
                "notes": translator.notes,
                "timestamp_forms": translator.forms,
                "companion": MOTCUA_EVENTS if entity is MOTCUA_CASES else None,
            }
            if portal
            else {}
        ),
    )


def _pull_catalogue(loader: Loader, client: ApiClient, entity: Entity):
    items = list(client.items(entity.api_resource, None))
    digest = hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    rows = [SourceRow(n, item) for n, item in enumerate(items, start=1)]
    return loader.load(entity, f"{client.base_url}/{entity.api_resource}", rows, content_sha256=digest, mode="api")


def _pull_reports(conn, loader: Loader, client: ApiClient):
    resource = BAOCAO_VALUES.api_resource
    since = watermark(conn, "baocao", resource)
    known = known_codes(conn)
    results, newest = [], since
    for item in client.items(resource, since):
        if not isinstance(item, dict):
            item = {"TenTep": repr(item)[:80]}
        location = f"{client.base_url}/{resource}#{item.get('TenTep')}"
        try:
            data = base64.b64decode(str(item.get("TepBase64") or ""), validate=True)
        except ValueError as exc:  # one unreadable attachment costs that report only
            results.append(loader.reject("baocao", BAOCAO_VALUES.name, location, None, f"TepBase64: {exc}", "api"))
            continue
        received = _stamp(item.get("NgayNop"))
        if received is None:  # the moment of the pull is not when the report was filed (an outage would make it late)
            message = f"NgayNop: {item.get('NgayNop')!r} is not a timestamp: the filing time is unknown"
            results.append(loader.reject("baocao", BAOCAO_VALUES.name, location, None, message, "api"))
            continue
        notes: list[str] = []
        rows = read_report_workbook(data, received, known[0], known[1], WorkbookNotes(notes))
        results.append(
            loader.load(
                BAOCAO_VALUES, location, rows, content_sha256=hashlib.sha256(data).hexdigest(), mode="api", notes=notes
            )
        )
        stamp = _stamp(item.get("NgayCapNhat"))
        if stamp and (newest is None or stamp > newest):
            newest = stamp
    if newest is not None and newest != since:  # every workbook up to here is loaded or rejected for good
        with conn.transaction():
            _move_watermark("baocao", resource, [newest])(conn, 0)
    return results
