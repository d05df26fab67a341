"""What the profile editor holds: the profile, or the first problem that keeps it from being
one, and where that problem is (:meth:`.widget.ProfileEditorWidget.profile_result`)."""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["ProfileResult"]


class ProfileResult:
    """The profile being edited, or the first problem that keeps it from being one.

    ``where`` is ``"json"`` (then ``line``/``column`` are set) or ``"fields"`` (then ``row``,
    0-based); ``problem`` is a sentence for the user naming the place.
    """

    profile: dict[str, Any] | None
    problem: str | None
    where: Literal["json", "fields"] | None
    line: int
    column: int
    row: int

    def __init__(
        self,
        profile: dict[str, Any] | None,
        problem: str | None = None,
        where: Literal["json", "fields"] | None = None,
        line: int = 0,
        column: int = 0,
        row: int = -1,
    ) -> None:
        object.__setattr__(self, "profile", profile)
        object.__setattr__(self, "problem", problem)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "row", row)

    def _key(self) -> tuple[Any, ...]:
        return (self.profile, self.problem, self.where, self.line, self.column, self.row)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProfileResult) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(profile={self.profile!r}, problem={self.problem!r}, where={self.where!r}, line={self.line!r}, column={self.column!r}, row={self.row!r})"

    @property
    def ok(self) -> bool:
        return self.profile is not None
