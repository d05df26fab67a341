"""Where the JSON tab offers known keys, and what accepting one inserts."""

from __future__ import annotations

import json

import pytest

from profile_editor.core.profile.fields import field_at, top_level_fields
from profile_editor.core.profile.key_completion import key_context, key_insertion


def _at_end(text: str) -> tuple[tuple[str, ...], str] | None:
    context = key_context(text, len(text))
    return None if context is None else (context.path, context.prefix)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "email": "a@b.co",\n  "add', ((), "add")),
        ("{\n  ", ((), "")),
        ('{"a": 1, "sl', ((), "sl")),
        ('{\n  "address": {\n    "loc', (("address",), "loc")),
        ('{\n  "slack": {"access_token": "x", "ch', (("slack",), "ch")),
        (
            '{\n  "webhook": {\n    "authentication": {\n      "mo',
            (("webhook", "authentication"), "mo"),
        ),
    ],
)
def test_a_key_position_is_recognised_with_its_object_path(
    text: str, expected: tuple[tuple[str, ...], str]
) -> None:
    assert _at_end(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{\n  "email": "a, "b',  # inside a string value
        '{\n  "email": "ab',  # a value being typed
        '{\n  "tags": [{"x',  # an object inside an array
        '{\n  "tags": ["x',  # an array item
        '["x',  # not an object at the top
        '{\n  "email": ',  # after a colon
    ],
)
def test_no_key_position_inside_values_or_arrays(text: str) -> None:
    assert key_context(text, len(text)) is None


def test_the_replaced_span_covers_the_opening_and_a_closing_quote() -> None:
    text = '{\n  "ema"\n}'
    context = key_context(text, text.index('a"') + 1)
    assert context is not None
    assert text[context.start : context.end] == '"ema"'
    assert context.indent == "  "


def test_a_large_text_still_completes_top_level_keys_by_indentation() -> None:
    big = {f"k{i}": "x" * 40 for i in range(12_000)}
    text = json.dumps(big, indent=2)[:-2] + ',\n  "pho'
    context = key_context(text, len(text))
    assert context is not None and (context.path, context.prefix) == ((), "pho")


def test_insertion_is_the_key_and_its_skeleton_indented() -> None:
    address = top_level_fields()["address"]
    inserted = key_insertion(address, "  ")
    assert inserted.startswith('"address": {\n    "formatted": ""')
    assert inserted.endswith("\n  }")
    assert json.loads("{" + inserted + "}")["address"] == {
        "formatted": "",
        "street_address": "",
        "locality": "",
        "region": "",
        "postal_code": "",
        "country": "",
    }
    verified = top_level_fields()["email_verified"]
    assert key_insertion(verified, "", comma=True) == '"email_verified": false,'
    slack = field_at(("slack",))
    assert slack is not None
    assert json.loads("{" + key_insertion(slack, "") + "}") == {
        "slack": {"access_token": "", "channel": ""}
    }
