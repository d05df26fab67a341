"""Environments: named Courier base URLs (keys live in the keychain, see :mod:`.secrets`)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from profile_editor.core.http.config import DEFAULT_BASE_URL, EU_BASE_URL, check_base_url
from profile_editor.storage.atomic import atomic_write_text
from profile_editor.storage.environment_data import (
    DEFAULT_ENVIRONMENTS,
    OS_ENVIRON_NAME,
    SUPPORTED_SCHEMA_VERSION,
    EnvironmentData,
    environment_from_os_environ,
)
from profile_editor.storage.errors import StorageError
from profile_editor.storage.fields import Name
from profile_editor.storage.presets import describe_validation_error

__all__ = [
    "DEFAULT_BASE_URL",
    "EU_BASE_URL",
    "OS_ENVIRON_NAME",
    "SUPPORTED_SCHEMA_VERSION",
    "Environment",
    "EnvironmentStore",
    "default_environments",
    "env_from_os_environ",
]

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Environment(BaseModel):
    """Where requests go: a name the user picks, a base URL, a colour to recognise it by."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    name: Name
    base_url: str
    color: str = "#808080"
    # Protected environments (production) ask for confirmation before anything is sent.
    protected: bool = False

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        value = value.strip()
        if not _COLOR.match(value):
            raise ValueError("the colour must look like #rrggbb")
        return value.lower()

    @classmethod
    def of(cls, data: EnvironmentData) -> Environment:
        return cls(
            name=data.name, base_url=data.base_url, color=data.color, protected=data.protected
        )


def default_environments() -> list[Environment]:
    return [Environment.of(data) for data in DEFAULT_ENVIRONMENTS]


def _check_unique(envs: Iterable[Environment]) -> None:
    seen: set[str] = set()
    for env in envs:
        key = env.name.casefold()
        if key in seen:
            raise StorageError(f"Two environments are named {env.name!r}")
        seen.add(key)


class EnvironmentStore:
    """The list of environments in one JSON file.

    A file that cannot be read gives the defaults and sets :attr:`error`; it is never
    rewritten by loading, only by an explicit :meth:`save`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.error: str | None = None
        self._lock = threading.Lock()

    def load(self) -> list[Environment]:
        self.error = None
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return default_environments()
        except (OSError, UnicodeDecodeError) as exc:
            return self._fallback(f"cannot be read ({_reason(exc)})")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._fallback(f"is not valid JSON (line {exc.lineno}, column {exc.colno})")
        except (ValueError, RecursionError) as exc:
            return self._fallback(f"is not valid JSON ({exc})")
        try:
            return _parse(data)
        except (ValueError, StorageError) as exc:
            return self._fallback(str(exc))

    def save(self, envs: Iterable[Environment]) -> None:
        envs = list(envs)
        _check_unique(envs)
        payload = {
            "schema_version": SUPPORTED_SCHEMA_VERSION,
            "environments": [env.model_dump(mode="json") for env in envs],
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, text)
            except OSError as exc:
                raise StorageError(f"Cannot write {self.path.name}: {_reason(exc)}") from exc
            self.error = None

    def _fallback(self, why: str) -> list[Environment]:
        self.error = f"{self.path.name} {why}; using the default environments."
        return default_environments()


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _parse(data: Any) -> list[Environment]:
    if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
        raise StorageError('has no "environments" list')
    version = data.get("schema_version", SUPPORTED_SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StorageError("has an invalid schema_version")
    if version > SUPPORTED_SCHEMA_VERSION:
        raise StorageError(
            f"was written by a newer Profile Editor (schema_version {version}; "
            f"this version reads up to {SUPPORTED_SCHEMA_VERSION})"
        )
    envs = []
    for index, item in enumerate(data["environments"]):
        try:
            envs.append(Environment.model_validate(item))
        except ValidationError as exc:
            raise StorageError(
                f"has an invalid environment #{index + 1}: {describe_validation_error(exc)}"
            ) from None
    try:
        _check_unique(envs)
    except StorageError as exc:
        raise StorageError(f"is invalid: {exc}") from None
    return envs


def env_from_os_environ(environ: Mapping[str, str]) -> tuple[Environment, str | None] | None:
    """:func:`~.environment_data.environment_from_os_environ` as an :class:`Environment`."""
    found = environment_from_os_environ(environ)
    return None if found is None else (Environment.of(found[0]), found[1])
