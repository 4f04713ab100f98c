"""One frozen settings object for a running inspector: CLI > environment > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import platformdirs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def sessions_dir() -> Path:
    """Where sessions go by default (INSPECTOR_DATA_DIR overrides the user data dir)."""
    base = os.environ.get("INSPECTOR_DATA_DIR")
    root = Path(base) if base else Path(platformdirs.user_data_dir("inspector", appauthor=False))
    return root / "sessions"


def new_session_path(now: datetime | None = None) -> Path:
    now = now or datetime.now()
    d = sessions_dir()
    stem = now.strftime("session-%Y%m%d-%H%M%S")
    path = d / f"{stem}.sqlite"
    n = 1
    while path.exists():
        n += 1
        path = d / f"{stem}-{n}.sqlite"
    return path


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    session: Path | None = None
    write_keys: tuple[str, ...] = ()
    json_lines: bool = False
    forward: str | None = None
    plan: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK or self.host.startswith("127.")


def env_default(name: str, default: str | None) -> str | None:
    return os.environ.get(f"INSPECTOR_{name}", default)
