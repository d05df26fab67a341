"""A row whose body would be over Courier's 6 MB limit is a bad row with its line number, found
when the file is read (so the preview and a dry run list it too), never sent."""

from __future__ import annotations

from pathlib import Path

from profile_editor.bulk.inputs import open_rows, preview
from profile_editor.bulk.rows import BadRow, Row
from profile_editor.core.http.models import MAX_BODY_BYTES

EMPTY_BODY = len(b'{"profile":{"bio":""}}')


def test_a_row_over_the_limit_is_bad_and_one_at_the_limit_is_not(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    at_limit = "x" * (MAX_BODY_BYTES - EMPTY_BODY)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(f"recipient_id,bio\nu1,{at_limit}\nu2,{at_limit}y\nu3,short\n")
    with open_rows(path) as rows:
        result = list(rows)
    assert [(r.line, r.recipient_id, type(r)) for r in result] == [
        (2, "u1", Row),
        (3, "u2", BadRow),
        (4, "u3", Row),
    ]
    bad = result[1]
    assert isinstance(bad, BadRow)
    assert bad.reason == (
        "the body is 6.0 MB (6,291,457 bytes); Courier accepts at most 6 MB (6,291,456 bytes)."
    )
    assert [b.line for b in preview(path).bad] == [3]
