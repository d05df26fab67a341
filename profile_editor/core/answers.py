"""The JSON bodies Courier answers with, validated where the client reads them (on a worker)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, SkipValidation

__all__ = ["ErrorBody", "ProfileBody", "SuccessBody"]


class SuccessBody(BaseModel):
    status: str


class ErrorBody(BaseModel):
    message: str
    type: str | None = None


class ProfileBody(BaseModel):
    profile: Annotated[dict[str, Any], SkipValidation]
    preferences: Any = None
