"""Where requests go and with which key: command line, environment, then defaults."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://api.courier.com"
EU_BASE_URL = "https://api.eu.courier.com"
KEY_ENV_VARS = ("COURIER_API_KEY", "COURIER_AUTH_TOKEN")
BASE_URL_ENV_VAR = "COURIER_BASE_URL"
# The official SDKs' defaults, in seconds.
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 60.0


class ConfigError(ValueError):
    """A base URL or key setting that cannot be used, with a message for the user."""


def resolve_base_url(cli_value: str | None, environ: Mapping[str, str]) -> str:
    raw = cli_value or environ.get(BASE_URL_ENV_VAR) or DEFAULT_BASE_URL
    return normalize_base_url(raw)


def resolve_api_key(environ: Mapping[str, str]) -> str | None:
    for name in KEY_ENV_VARS:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def normalize_base_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"“{raw}” is not a usable base URL: it needs http:// or https:// and a host."
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"“{raw}” is not a usable base URL: remove the ? or # part.")
    return url


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=64)  # asked on every send, with the same few base URLs
def insecure_key_problem(base_url: str, has_key: bool) -> str | None:
    """Why the key must not go to ``base_url``, or None when it may."""
    parts = urlsplit(base_url)
    if has_key and parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return (
            f"Refusing to send the API key over plain http:// to {parts.hostname}: anyone on the "
            "network could read it. Use https://, or http:// only to this machine (localhost)."
        )
    return None
