"""Field types shared by the storage models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _strip_non_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the name must not be blank")
    return value


# A name as typed by the user: surrounding spaces dropped, never empty.
Name = Annotated[str, AfterValidator(_strip_non_blank)]
