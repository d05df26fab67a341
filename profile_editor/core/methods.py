"""HTTP methods on a profile and the names the app gives them (kept free of heavy imports)."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"

    @property
    def has_body(self) -> bool:
        return self in (Method.POST, Method.PUT, Method.PATCH)


ACTION_NAMES = {
    Method.POST: "Merge",
    Method.PUT: "Replace",
    Method.DELETE: "Delete",
    Method.PATCH: "Patch",
    Method.GET: "Load",
}
