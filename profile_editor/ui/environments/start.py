"""Which environment a window starts in: the target it was given, the stored environments and the
last one used. Plain data, no storage models: the first frame's band is chosen with it from a
quick read, and the validated start with the same rules right after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["EnvironmentLike", "SessionTarget", "choose_start", "masked_key", "same_environment"]


class EnvironmentLike(Protocol):
    """What the band shows of an environment (a stored model, or plain data before it)."""

    @property
    def name(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def protected(self) -> bool: ...


E = TypeVar("E", bound=EnvironmentLike)


def masked_key(key: str | None) -> str:
    """How a key appears in a repr: whether there is one, never what it is (a repr can end up
    in a log line or a crash report)."""
    return "None" if key is None else "'***'"


class SessionTarget:
    """The target given at start (command line, env vars or the sandbox)."""

    base_url: str
    api_key: str | None
    name: str
    color: str
    protected: bool
    sandbox: bool

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        name: str = "Custom",
        color: str = "#455a64",
        protected: bool = False,
        sandbox: bool = False,
    ) -> None:
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(self, "api_key", api_key)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "color", color)
        object.__setattr__(self, "protected", protected)
        object.__setattr__(self, "sandbox", sandbox)

    def _key(self) -> tuple[Any, ...]:
        return (self.base_url, self.api_key, self.name, self.color, self.protected, self.sandbox)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionTarget) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(base_url={self.base_url!r}, api_key={masked_key(self.api_key)}, name={self.name!r}, color={self.color!r}, protected={self.protected!r}, sandbox={self.sandbox!r})"


def choose_start(
    target: SessionTarget, stored: list[E], last: str, make: Callable[[str], E]
) -> tuple[list[E], E, E | None]:
    """All environments (a session one first), the one to start in, and the session one.

    A target given on the command line or by env vars is a session environment of its own,
    made by ``make(name)``; otherwise the stored one with the target's URL. The last one used
    wins unless a target was given explicitly.
    """
    by_url = {env.base_url: env for env in stored}
    session: E | None = None
    if target.sandbox or target.api_key or target.base_url not in by_url:
        name = target.name
        if any(env.name == name for env in stored):
            name = f"{name} (this session)"
        session = active = make(name)
    else:
        active = by_url[target.base_url]
    if not target.sandbox and not target.api_key and last:
        active = next((e for e in stored if e.name == last), active)
    return ([session] if session is not None else []) + stored, active, session


def same_environment(a: EnvironmentLike | None, b: EnvironmentLike | None) -> bool:
    """Whether the band would show the same: name, URL, colour and protection."""
    if a is None or b is None:
        return a is b
    return (a.name, a.base_url, a.color.lower(), a.protected) == (
        b.name,
        b.base_url,
        b.color.lower(),
        b.protected,
    )
