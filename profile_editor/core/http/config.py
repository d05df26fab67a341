"""Where requests go and with which key: command line, environment, then defaults."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

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


def check_base_url(value: str) -> str:
    """The http(s) base URL without trailing slashes; raises ValueError saying why not."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if not parts.hostname or not port_ok:
        raise ValueError("the URL needs a host name")
    if parts.username is not None or parts.password is not None:
        # Credentials belong in the keychain, not in a plain settings file.
        raise ValueError("the URL must not contain a user name or password")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError("the URL must not have a query or fragment")
    if any(ch.isspace() for ch in text):
        raise ValueError("the URL must not contain spaces")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def normalize_base_url(raw: str) -> str:
    """:func:`check_base_url` with a message for the command line or a dialog."""
    try:
        return check_base_url(raw)
    except ValueError as err:
        raise ConfigError(f"“{raw}” is not a usable base URL: {err}.") from None


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
