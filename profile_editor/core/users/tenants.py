"""Tenant memberships: ``/users/{id}/tenants[/{tenant_id}]``, read page by page with opaque
cursors (as list subscriptions are)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profile_editor.core.http.models import Outcome
from profile_editor.core.http.paging import PageRead, read_all_pages
from profile_editor.core.methods import Method
from profile_editor.core.users.base import UsersRequestBase, plural

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient, RetryCallback

__all__ = [
    "MAX_TENANT_LIMIT",
    "MAX_TENANT_PAGES",
    "ListTenantsRequest",
    "PutTenantRequest",
    "PutTenantsRequest",
    "RemoveAllTenantsRequest",
    "RemoveTenantRequest",
    "TenantAssociation",
    "TenantsPage",
    "TenantsRequest",
    "TenantsResult",
    "fetch_all_tenants",
]

MAX_TENANT_LIMIT = 100  # Courier's largest page (its default is 20)
MAX_TENANT_PAGES = 1_000
"""fetch_all_tenants stops here: a server that pages forever."""


class TenantAssociation(BaseModel):
    """One membership; ``profile`` overrides the workspace profile for sends in that tenant."""

    model_config = ConfigDict(extra="allow", frozen=True)

    tenant_id: str
    profile: dict[str, Any] | None = None
    type: Literal["user"] | None = None
    user_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class TenantsPage(BaseModel):
    """One page of ``GET /users/{id}/tenants``."""

    model_config = ConfigDict(frozen=True)

    items: list[TenantAssociation] = Field(default_factory=list)  # Courier may leave it out
    has_more: bool
    cursor: str | None = None
    next_url: str | None = None
    url: str | None = None
    type: Literal["list"] | None = None

    @classmethod
    def from_outcome(cls, outcome: Outcome) -> TenantsPage | None:
        if not outcome.ok:
            return None
        try:
            return cls.model_validate(outcome.body)
        except ValidationError:
            return None


class _TenantsRequest(UsersRequestBase):
    resource: ClassVar[str] = "tenants"

    def tail_segments(self) -> tuple[str, ...]:
        return ("tenants",)


class _OneTenantRequest(_TenantsRequest):
    tenant_id: str

    def tail_segments(self) -> tuple[str, ...]:
        return ("tenants", self.tenant_id)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return (("tenant ID", self.tenant_id),)


class ListTenantsRequest(_TenantsRequest):
    """``GET /users/{id}/tenants[?cursor=&limit=]``: one page of memberships."""

    method: ClassVar[Method] = Method.GET
    verb: ClassVar[str] = "Read tenants"
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1, le=MAX_TENANT_LIMIT)

    def query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        if self.cursor:
            query["cursor"] = self.cursor
        if self.limit is not None:
            query["limit"] = str(self.limit)
        return query

    @staticmethod
    def loaded(parsed: Any) -> str | None:
        try:
            page = TenantsPage.model_validate(parsed)
        except ValidationError:
            return None
        return plural(len(page.items), "tenant") + (" (more)" if page.has_more else "")


class PutTenantsRequest(_TenantsRequest):
    """``PUT /users/{id}/tenants`` with ``{"tenants": [...]}`` → 204."""

    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Add tenants"
    tenants: tuple[TenantAssociation, ...] = Field(min_length=1)

    def id_segments(self) -> tuple[tuple[str, str], ...]:
        return tuple(("tenant ID", tenant.tenant_id) for tenant in self.tenants)

    def payload(self) -> dict[str, Any]:
        return {"tenants": [tenant.to_json() for tenant in self.tenants]}


class PutTenantRequest(_OneTenantRequest):
    """``PUT /users/{id}/tenants/{tenant_id}`` with ``{"profile"?: {...}}`` → 204."""

    method: ClassVar[Method] = Method.PUT
    verb: ClassVar[str] = "Add tenant"
    profile: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        return {} if self.profile is None else {"profile": self.profile}


class RemoveTenantRequest(_OneTenantRequest):
    """``DELETE /users/{id}/tenants/{tenant_id}`` → 204."""

    method: ClassVar[Method] = Method.DELETE
    verb: ClassVar[str] = "Remove tenant"


class RemoveAllTenantsRequest(_TenantsRequest):
    """``DELETE /users/{id}/tenants`` → 204: every membership."""

    method: ClassVar[Method] = Method.DELETE
    verb: ClassVar[str] = "Remove all tenants"


TenantsRequest = (
    ListTenantsRequest
    | PutTenantsRequest
    | PutTenantRequest
    | RemoveTenantRequest
    | RemoveAllTenantsRequest
)


@dataclass(frozen=True)
class TenantsResult:
    """Every membership read, and the outcome of the last request (the one that failed, if one
    did: then ``tenants`` holds the pages read before it)."""

    tenants: list[TenantAssociation]
    outcome: Outcome
    pages: int = 0
    attempts: int = 0  # over all pages, retries included
    elapsed_ms: float = 0.0
    complete: bool = False

    @property
    def ok(self) -> bool:
        return self.complete and self.outcome.ok


def fetch_all_tenants(
    client: ProfilesClient,
    base_url: str,
    user_id: str,
    api_key: str | None,
    *,
    limit: int | None = MAX_TENANT_LIMIT,
    cancel: CancelToken | None = None,
    on_retry: RetryCallback | None = None,
) -> TenantsResult:
    """Read every page of the user's memberships, following the cursors.

    Stops at the first request that does not succeed (its outcome says why), when cancelled, and
    on a server that repeats a cursor or pages beyond :data:`MAX_TENANT_PAGES`.
    """
    from profile_editor.core.users.execute import execute_users  # execute imports this module

    def send(cursor: str | None) -> Outcome:
        request = ListTenantsRequest(base_url=base_url, user_id=user_id, cursor=cursor, limit=limit)
        return execute_users(client, request, api_key, cancel=cancel, on_retry=on_retry)

    def parse(outcome: Outcome) -> PageRead[TenantAssociation] | None:
        page = TenantsPage.from_outcome(outcome)
        return None if page is None else (page.items, page.has_more, page.cursor)

    read = read_all_pages(send, parse, max_pages=MAX_TENANT_PAGES, what="Tenants")
    return TenantsResult(
        read.items, read.outcome, read.pages, read.attempts, read.elapsed_ms, read.complete
    )
