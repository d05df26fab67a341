"""What the Problems list is made of: entries with where they point, and their count."""

from __future__ import annotations

from profile_editor.core.profile.json_patch import validate_patch
from profile_editor.core.profile.jsoncodec import JsonProblem, parse_profile
from profile_editor.core.profile.rules import check_profile
from profile_editor.ui.editor.problems_view import count_text, patch_entries, profile_entries


def _json_error(text: str) -> JsonProblem:
    try:
        parse_profile(text)
    except JsonProblem as problem:
        return problem
    raise AssertionError("parsed")


def test_profile_entries_point_at_a_line_a_row_or_a_key_path() -> None:
    [error] = profile_entries(_json_error('{\n  "a": tru\n}'), [], [])
    assert (error.severity, error.where, error.line, error.column) == (
        "error",
        "line 2, column 8",
        2,
        8,
    )
    [row] = profile_entries(None, [(3, "empty key")], [])
    assert (row.where, row.row) == ("row 4", 3)
    found = profile_entries(None, [], check_profile({"slack": {"channel": "C1"}, "phone": "1"}))
    assert {(e.severity, e.where, e.path) for e in found} == {
        ("warning", "slack", ("slack",)),
        ("warning", "phone", ("phone",)),
    }


def test_patch_entries_name_the_op_and_member() -> None:
    entries = patch_entries(None, validate_patch([{"op": "add", "path": "x"}]))
    assert [(e.where, e.op, e.member) for e in entries] == [
        ("op 0, path", 0, "path"),
        ("op 0, value", 0, "value"),
    ]


def test_count_text() -> None:
    found = profile_entries(None, [], check_profile({"phone": "1", "Email": "a@b.co"}))
    assert count_text(found) == "2 warnings"
    assert count_text([]) == ""
    mixed = [*profile_entries(_json_error("{"), [], []), *found[:1]]
    assert count_text(mixed) == "1 error, 1 warning"
