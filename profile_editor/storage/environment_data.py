"""Environments as plain data, without the storage models: the defaults, the one the process
environment names, and a quick read of ``environments.json``.

The window's first frame shows the environment band from :func:`read_environments_quickly`, before
pydantic and the models of :mod:`.environments` are imported; that module's validated read follows
right after the first paint and is the one requests use. The quick read applies the same rules
(so the two agree on any file the app wrote), but it is only ever shown, never sent to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from profile_editor.core.http.config import (
    BASE_URL_ENV_VAR,
    DEFAULT_BASE_URL,
    EU_BASE_URL,
    check_base_url,
    resolve_api_key,
)

__all__ = [
    "DEFAULT_ENVIRONMENTS",
    "OS_ENVIRON_NAME",
    "SUPPORTED_SCHEMA_VERSION",
    "EnvironmentData",
    "environment_from_os_environ",
    "read_environments_quickly",
]

SUPPORTED_SCHEMA_VERSION = 1
OS_ENVIRON_NAME = "Environment variables"
DEFAULT_COLOR = "#808080"
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# What pydantic's lax mode takes for a bool in a JSON file, as the validated read does.
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


class EnvironmentData:
    """An environment's name, base URL, colour (``#rrggbb``, lower case) and protection."""

    name: str
    base_url: str
    color: str
    protected: bool

    def __init__(
        self,
        name: str,
        base_url: str,
        color: str = DEFAULT_COLOR,
        protected: bool = False,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(self, "color", color)
        object.__setattr__(self, "protected", protected)

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.base_url, self.color, self.protected)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EnvironmentData) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(name={self.name!r}, base_url={self.base_url!r}, color={self.color!r}, protected={self.protected!r})"


DEFAULT_ENVIRONMENTS = (
    EnvironmentData("Production", DEFAULT_BASE_URL, "#d64541", protected=True),
    EnvironmentData("EU", EU_BASE_URL, "#d35400", protected=True),
)


def read_environments_quickly(path: Path) -> list[EnvironmentData]:
    """The environments in ``path`` by a plain ``json`` read, or the defaults when it is missing
    or anything in it is not right (as :class:`~.environments.EnvironmentStore` does)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        return _parse(data)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, TypeError):
        return list(DEFAULT_ENVIRONMENTS)


def _parse(data: Any) -> list[EnvironmentData]:
    if not isinstance(data, dict) or not isinstance(data.get("environments"), list):
        raise ValueError("no environments list")
    version = data.get("schema_version", SUPPORTED_SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("schema_version")
    if not 1 <= version <= SUPPORTED_SCHEMA_VERSION:
        raise ValueError("schema_version")
    envs = [_environment(item) for item in data["environments"]]
    if len({env.name.casefold() for env in envs}) != len(envs):
        raise ValueError("two environments have the same name")
    return envs


def _environment(item: Any) -> EnvironmentData:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    name, url = item.get("name"), item.get("base_url")
    color = item.get("color", DEFAULT_COLOR)
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name")
    if not isinstance(url, str) or not isinstance(color, str) or not COLOR.match(color.strip()):
        raise ValueError("base_url or color")
    return EnvironmentData(
        name.strip(),
        check_base_url(url),
        color.strip().lower(),
        _bool(item.get("protected", False)),
    )


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise ValueError("protected")


def environment_from_os_environ(
    environ: Mapping[str, str],
) -> tuple[EnvironmentData, str | None] | None:
    """The environment the official SDKs would use, if the process environment defines one.

    ``COURIER_API_KEY`` (or ``COURIER_AUTH_TOKEN``) gives the key and ``COURIER_BASE_URL`` the
    URL (default: the production API). Empty variables count as unset. Raises ValueError if
    ``COURIER_BASE_URL`` is not a usable URL, rather than silently sending elsewhere.
    """
    key = resolve_api_key(environ)
    raw_url = environ.get(BASE_URL_ENV_VAR, "").strip()
    if key is None and not raw_url:
        return None
    try:
        base_url = check_base_url(raw_url) if raw_url else DEFAULT_BASE_URL
    except ValueError as exc:
        raise ValueError(f"{BASE_URL_ENV_VAR} is not usable: {exc}") from None
    # Unknown target: protected unless the key itself says it is a test key.
    is_test_key = key is not None and key.startswith(("pk_test_", "dk_test_"))
    env = EnvironmentData(OS_ENVIRON_NAME, base_url, "#7f8c8d", protected=not is_test_key)
    return env, key
