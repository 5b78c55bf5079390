"""The officials' site the night built (OUTPUT_DIR/site), opened in a real browser: Debian's Chromium, installed
by this setup when missing, driven by Playwright (which downloads nothing: it is given Debian's binary).
Pages load without console errors from the file system and from a static server, a figure of the marts and an
agency's near-due list are on the page as the marts hold them, every link resolves, no personal data is in any
page, the province page is light. Screenshots are kept in the test's folder (printed)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import debian_tool
from test_personal_data import _leaks, _pii_values

from reporting.labels import number_vi

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(nightly_province):
    url, env, first, _ = nightly_province
    assert first.returncode == 0, first.stdout[-3000:]
    import psycopg

    folder = Path(env["OUTPUT_DIR"]) / "site"
    assert (folder / "index.html").exists()
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, folder


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=debian_tool("chromium", "chromium"), args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def open_page(browser, address: str, shots: Path, name: str, width: int = 1280):
    """The page at `address`, its console errors and a full-page screenshot."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.goto(address)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return page, errors


def busiest_agencies(conn) -> list[str]:
    """The agency with the most near-due or overdue cases, and a commune with figures (an agency has a page
    when it has any)."""
    busiest = conn.execute(
        "select agency_id from marts.fct_near_due_cases group by agency_id order by count(*) desc, agency_id limit 1"
    ).fetchone()[0]
    commune = conn.execute(
        "select agency_id from marts.dim_agency a where agency_level = 'commune' and is_current and agency_id <> %s"
        " and exists (select 1 from marts.kpi_values v where v.agency_id = a.agency_id) order by agency_id limit 1",
        (busiest,),
    ).fetchone()[0]
    return [busiest, commune]


def test_the_pages_load_in_chromium_without_errors_and_show_the_marts_figures(site, browser, tmp_path):
    conn, folder = site
    shots = tmp_path / "screenshots"
    agencies = busiest_agencies(conn)
    pages = {"index": "index.html", **{a: f"don-vi/{a}.html" for a in agencies}, "quality": "chat-luong-du-lieu.html"}
    seen = {}
    for name, path in pages.items():
        page, errors = open_page(browser, (folder / path).as_uri(), shots, name)
        assert errors == [], (path, errors)
        seen[name] = page
    print(f"screenshots: {shots}")
    # a known figure: the province's on-time rate of the last month that is over, as the marts hold it
    rate, numerator, denominator = conn.execute(
        "select value, numerator, denominator from marts.kpi_values v join marts.dim_period p using (period_id)"
        " where kpi_id = 'case_on_time_rate' and scope = 'province' and p.period_kind = 'month'"
        " and not v.is_period_open order by p.end_date desc limit 1"
    ).fetchone()
    text = seen["index"].inner_text("main")
    assert f"{number_vi(float(rate) * 100, 1)} %" in text and f"{number_vi(numerator)}/{number_vi(denominator)}" in text
    # the near-due list of an agency is the mart's rows, in order
    for agency in agencies:
        expected = [
            r[0]
            for r in conn.execute(
                "select case_id from marts.fct_near_due_cases where agency_id = %s"
                " order by working_days_left, due_date, case_id",
                (agency,),
            ).fetchall()
        ]
        table = seen[agency].locator("table", has=seen[agency].locator("caption", has_text="sắp đến hạn"))
        listed = [c.strip() for c in table.locator("tbody tr th").all_inner_texts()]
        assert listed == expected, agency
        assert expected or table.locator("tbody").inner_text().strip() == "Không có."
    busiest = conn.execute("select count(*) from marts.fct_near_due_cases where agency_id = %s", (agencies[0],))
    assert busiest.fetchone()[0] > 0  # so the comparison above was not of two empty lists
    for page in seen.values():
        page.close()
    # an agency name that looks like a formula or markup is shown as the text it is, never as a link
    page, errors = open_page(browser, (folder / "don-vi" / "SO-TP.html").as_uri(), shots, "SO-TP")
    assert errors == [] and page.inner_text("h1") == '=HYPERLINK("http://x.invalid","Sở Tư pháp")'
    assert page.locator('a[href="http://x.invalid"]').count() == 0
    page.close()


def test_it_works_from_a_static_server_and_on_a_phone(site, browser, tmp_path):
    _, folder = site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        page, errors = open_page(browser, base + "index.html", tmp_path, "index_phone", width=390)
        assert errors == []
        # on a phone the page is no wider than the screen: wide tables scroll inside their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.close()
        server.shutdown()


def test_every_link_resolves_and_every_table_has_its_csv(site):
    _, folder = site
    pages = sorted(folder.rglob("*.html"))
    checked = 0
    for path in pages:
        if "ky-thuat" in path.parts:
            continue  # the engineers' pages are dbt's and GX's own
        html = path.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+)"', html):
            parts = urlsplit(href)
            if parts.scheme == "data":  # the empty icon: nothing to fetch
                continue
            if parts.scheme or href.startswith("#"):
                assert not parts.scheme, f"{path}: an external link {href} (nothing is fetched when viewing)"
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.relative_to(folder)} links to {href}, which does not exist"
            if parts.fragment:
                assert f'id="{parts.fragment}"' in target.read_text(encoding="utf-8"), href
            checked += 1
        assert html.count("<table") == html.count("<caption>"), f"{path}: a table without a caption"
    assert checked > 500 and len(pages) > 50


def test_no_page_holds_personal_data_and_the_province_page_is_light(site):
    conn, folder = site
    pii = _pii_values(conn)
    assert len(pii) > 500  # the scan means something
    texts = {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in folder.rglob("*.html")
        if "ky-thuat" not in p.parts
    }
    texts |= {str(p.relative_to(folder)): p.read_text(encoding="utf-8-sig") for p in folder.rglob("*.csv")}
    assert not _leaks(pii, texts)
    weight = (folder / "index.html").stat().st_size + (folder / "site.css").stat().st_size
    print(f"province page weight: {weight / 1024:.0f} KB (HTML + CSS; no script, no image, no font)")
    assert weight < 300 * 1024


def test_the_engineers_pages_open_from_the_file_system(site, browser, tmp_path):
    """dbt docs as one file show the project's models without fetching anything; GX Data Docs are there as raw
    detail, linked from the site's data-quality page, which lists the latest result of every check."""
    conn, folder = site
    page, _ = open_page(browser, (folder / "ky-thuat" / "dbt-docs.html").as_uri(), tmp_path, "dbt_docs")
    page.wait_for_function("document.body.innerText.includes('khanhhoa_kpi')", timeout=30000)
    page.close()
    assert (folder / "ky-thuat" / "gx" / "index.html").exists()
    quality = (folder / "chat-luong-du-lieu.html").read_text(encoding="utf-8")
    assert 'href="ky-thuat/gx/index.html"' in quality and 'href="ky-thuat/dbt-docs.html"' in quality
    checks = conn.execute("select count(distinct (suite_name, check_name)) from dq.validation_results").fetchone()[0]
    lines = (folder / "csv" / "kiem_tra.csv").read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) - 1 == checks > 10
