"""Device tokens for push: ``/users/{id}/tokens[/{token}]``.

``expiry_date`` is an ISO 8601 date, or ``false`` for no expiry; left out, Courier expires a
token after 60 days without re-registration. ``true`` is not accepted, and an unparseable date
is a 400 — never "no expiry" — so :func:`parse_expiry` refuses anything else before sending.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from profile_editor.core.methods import Method
from profile_editor.core.users.base import UsersRequestBase, plural

__all__ = [
    "DeleteTokenRequest",
    "Device",
    "GetTokenRequest",
    "ListTokensRequest",
    "PatchTokenRequest",
    "Provider",
    "PutTokenRequest",
    "PutTokensRequest",
    "TokenOp",
    "TokenStatus",
    "TokensAnswer",
    "TokensRequest",
    "Tracking",
    "UserToken",
    "apply_token_ops",
    "expiry_day",
    "expiry_op",
    "parse_expiry",
    "shorten_token",
    "status_op",
]


class Provider(StrEnum):
    FIREBASE_FCM = "firebase-fcm"
    APN = "apn"
    EXPO = "expo"
    ONESIGNAL = "onesignal"


class TokenStatus(StrEnum):
    ACTIVE = "active"
    UNKNOWN = "unknown"
    FAILED = "failed"
    REVOKED = "revoked"


class Device(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    app_id: str | None = None
    ad_id: str | None = None
    device_id: str | None = None
    platform: str | None = None  # android, ios, web
    manufacturer: str | None = None
    model: str | None = None


class Tracking(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    os_version: str | None = None
    ip: str | None = None
    lat: str | None = None
    long: str | None = None


def parse_expiry(text: str) -> str | Literal[False]:
    """An expiry as typed: "never" → ``False`` (no expiry); an ISO 8601 date or date-time →
    that text, stripped. Anything else is a ValueError saying what to write."""
    value = text.strip()
    if value.lower() == "never":
        return False
    if not value:
        raise ValueError("Enter an expiry date (YYYY-MM-DD) or “never”.")
    if expiry_day(value) is None:
        raise ValueError(
            f"“{value}” is not a date: write it as YYYY-MM-DD (or an ISO 8601 date-time), "
            "or “never” for no expiry."
        )
    return value


def expiry_day(value: object) -> date | None:
    """The day an ISO 8601 ``expiry_date`` falls on, or None when it is not one (``False``,
    None, or unparseable text)."""
    if not isinstance(value, str) or not value or value != value.strip():
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        # A date-time: "2026-10-25T00:00:00.000Z" (3.11 reads the "Z").
        if "T" not in value[:11] and " " not in value[:11]:
            return None
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


class UserToken(BaseModel):
    """One device token; reads add ``status`` and ``status_reason``. Other members are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    token: str
    provider_key: Provider
    device: Device | None = None
    tracking: Tracking | None = None
    properties: dict[str, Any] | None = None
    # An ISO 8601 date, False for no expiry, None (left out) for Courier's 60 days.
    expiry_date: str | Literal[False] | None = None
    status: TokenStatus | None = None
    status_reason: str | None = None

    @field_validator("expiry_date", mode="before")
    @classmethod
    def _no_true(cls, value: Any) -> Any:
        if value is True:
            raise ValueError("expiry_date is a date or false; true is not accepted")
        return value

    @property
    def short(self) -> str:
        return shorten_token(self.token)

    def write_body(self) -> dict[str, Any]:
        """The fields a PUT sends: the token as registered (status is the server's to say)."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"status", "status_reason"})


def shorten_token(token: str, keep: int = 4) -> str:
    """``abcd…wxyz`` for display: push tokens run to hundreds of characters."""
    if len(token) <= 2 * keep + 1:
        return token
    return token[:keep] + "…" + token[-keep:]


class TokensAnswer(BaseModel):
    """``GET /users/{id}/tokens``."""

    model_config = ConfigDict(frozen=True)

    tokens: list[UserToken]


# --- requests -------------------------------------------------------------------------------


class _TokensRequest(UsersRequestBase):
    resource: ClassVar[str] = "tokens"

    def tail_segments(self) -> tuple[str, ...]:
        return ("tokens",)


class _OneTokenRequest(_TokensRequest):
    token: str

    def tail_segments(self) -> tuple[str, ...]:
        return ("tokens", self.token)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return (("token", self.token),)


class ListTokensRequest(_TokensRequest):
    """``GET /users/{id}/tokens``: every token registered for the user."""

    method: ClassVar[Method] = Method.GET
    verb: ClassVar[str] = "Read devices"

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        try:
            answer = TokensAnswer.model_validate(parsed)
        except ValidationError:
            return None
        return plural(len(answer.tokens), "token")


class GetTokenRequest(_OneTokenRequest):
    """``GET /users/{id}/tokens/{token}``: one token with its status; 404 when unknown."""

    method: ClassVar[Method] = Method.GET
    verb: ClassVar[str] = "Read device"

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        try:
            token = UserToken.model_validate(parsed)
        except ValidationError:
            return None
        return f"token {token.short}" + (f" ({token.status.value})" if token.status else "")


class PutTokenRequest(UsersRequestBase):
    """``PUT /users/{id}/tokens/{token}``: register (or overwrite) one token → 204."""

    resource: ClassVar[str] = "tokens"
    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Add device"
    user_token: UserToken

    @property
    def token(self) -> str:
        return self.user_token.token

    def tail_segments(self) -> tuple[str, ...]:
        return ("tokens", self.user_token.token)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return (("token", self.user_token.token),)

    def payload(self) -> dict[str, Any]:
        return self.user_token.write_body()


class PutTokensRequest(_TokensRequest):
    """``PUT /users/{id}/tokens``: several tokens in one call, each overwriting a match → 204."""

    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Add devices"
    tokens: tuple[UserToken, ...] = Field(min_length=1)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return tuple(("token", token.token) for token in self.tokens)

    def payload(self) -> dict[str, Any]:
        return {"tokens": [token.write_body() for token in self.tokens]}


class TokenOp(BaseModel):
    """One JSON Patch operation on a token: a value is a string, or ``false`` for
    ``/expiry_date`` (or an object for ``/properties``)."""

    model_config = ConfigDict(frozen=True)

    op: Literal["replace", "add", "remove"] = "replace"
    path: str = Field(pattern=r"^/")
    value: str | Literal[False] | dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"op": self.op, "path": self.path}
        if self.op != "remove":
            body["value"] = self.value
        return body


def status_op(status: TokenStatus) -> TokenOp:
    return TokenOp(op="replace", path="/status", value=status.value)


def expiry_op(expiry: str | Literal[False]) -> TokenOp:
    """From :func:`parse_expiry`: a date, or False for no expiry."""
    return TokenOp(op="replace", path="/expiry_date", value=expiry)


class PatchTokenRequest(_OneTokenRequest):
    """``PATCH /users/{id}/tokens/{token}`` with ``{"patch": [...]}`` → 204: change status, expiry
    or properties without re-registering."""

    method: ClassVar[Method] = Method.PATCH
    verb: ClassVar[str] = "Change device"
    ops: tuple[TokenOp, ...] = Field(min_length=1)

    def payload(self) -> dict[str, Any]:
        return {"patch": [op.to_json() for op in self.ops]}


class DeleteTokenRequest(_OneTokenRequest):
    """``DELETE /users/{id}/tokens/{token}`` → 204: push no longer targets that device."""

    method: ClassVar[Method] = Method.DELETE
    verb: ClassVar[str] = "Delete device"


TokensRequest = (
    ListTokensRequest
    | GetTokenRequest
    | PutTokenRequest
    | PutTokensRequest
    | PatchTokenRequest
    | DeleteTokenRequest
)


def apply_token_ops(token: UserToken, ops: tuple[TokenOp, ...] | list[TokenOp]) -> UserToken:
    """What ``token`` should read as after ``ops`` (top-level members only, as Courier's token
    patch allows): what a re-read is checked against. A ValueError for an op it cannot apply."""
    data = token.model_dump(mode="json", exclude_none=True)
    for op in ops:
        parts = op.path.split("/")[1:]
        if len(parts) != 1 or not parts[0]:
            raise ValueError(f"{op.path}: only a top-level member of a token can be patched.")
        name = parts[0]
        if op.op == "remove":
            data.pop(name, None)
        else:
            data[name] = op.value
    try:
        return UserToken.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"The patched token is not valid: {exc.errors()[0]['msg']}") from None
