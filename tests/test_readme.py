"""The README stays true: its first commands are the run and test commands, and its settings table is complete."""

from __future__ import annotations

import re

from warehouse.config import ENVIRONMENT, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_first_two_commands_are_run_and_test():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\n(\t.*\n)*\t\$\(PY\) -m pytest", makefile, re.M)


def test_every_setting_the_code_reads_is_in_the_readme_table():
    table_names = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", README, re.M))
    assert table_names == set(ENVIRONMENT)


def test_the_code_reads_only_documented_variables():
    read = set()
    for folder in ("warehouse", "ingestion", "expectations", "reporting", "dags"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            read |= set(re.findall(r'(?:environ\.get|_path|getenv|_int)\("([A-Z0-9_]+)"', path.read_text()))
    assert read <= set(ENVIRONMENT)
