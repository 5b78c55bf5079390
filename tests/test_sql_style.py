"""The dbt models follow the project's SQL style (.sqlfluff): sqlfluff with the dbt templater, as `make lint`."""

from __future__ import annotations

import os

from conftest import warehouse_cli


def test_the_dbt_models_pass_sqlfluff(server_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": server_url, "OUTPUT_DIR": str(tmp_path)}
    result = warehouse_cli(env, "sqlfluff", "lint", "dbt_project/models", timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
