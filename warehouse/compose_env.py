"""The `.env` of the compose stack, made on the machine that runs it: every secret the stack requires
(`${NAME:?…}` in docker-compose.yml) gets a fresh random value, every optional setting its default. No
template with values lives in the repository, so no two installations share a secret."""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

from .config import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
_VARIABLE = re.compile(r"\$\{([A-Z_]+):([?-])([^}]*)\}")


def compose_variables(compose_text: str) -> dict[str, str | None]:
    """NAME -> its default, or None for a required one (a secret), in the order the file names them."""
    found: dict[str, str | None] = {}
    for name, kind, default in _VARIABLE.findall(compose_text):
        found.setdefault(name, None if kind == "?" else default)
    return found


def _secret(name: str) -> str:
    if name.endswith("FERNET_KEY"):  # Airflow wants 32 bytes, url-safe base64
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(32)


def write_env(path: Path, force: bool = False) -> list[str]:
    """Write `path` (mode 600); the names of the secrets it generated. Refuses to replace an existing file
    unless `force` (rotating secrets also needs the steps in the README)."""
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass --force to generate new secrets (see the README first)")
    variables = compose_variables(COMPOSE_FILE.read_text(encoding="utf-8"))
    lines = ["# made by `make compose-env`; never commit it"]
    lines += [f"{name}={_secret(name) if default is None else default}" for name, default in variables.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return [name for name, default in variables.items() if default is None]
