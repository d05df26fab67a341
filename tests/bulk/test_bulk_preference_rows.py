"""Reading preference rows (``bulk --kind preferences``): CSV and JSONL, bad rows with their line,
a file that cannot be read refused as a whole, and what is written read back as written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.bulk.inputs import open_rows, scan
from profile_editor.bulk.preference_input import (
    PreferenceRow,
    read_preferences_csv,
    read_preferences_jsonl,
)
from profile_editor.bulk.rows import BadRow, InputError


def _csv(text: str) -> list[PreferenceRow | BadRow]:
    return list(read_preferences_csv(io.StringIO(text, newline="")))


def test_csv_rows_with_every_column() -> None:
    rows = _csv(
        "recipient_id,topic_id,status,channels,tenant_id\n"
        "u1,digest,OPTED_OUT,,\n"
        'u2,digest,opted-in,"email, push",acme\n'
        "u3,news,Opted_Out,sms|inbox,\n"
    )
    assert rows == [
        PreferenceRow(2, "u1", "digest", "OPTED_OUT"),
        PreferenceRow(3, "u2", "digest", "OPTED_IN", ("email", "push"), "acme"),
        PreferenceRow(4, "u3", "news", "OPTED_OUT", ("sms", "inbox")),
    ]


def test_columns_in_any_order_and_only_the_required_ones() -> None:
    assert _csv("status,recipient_id,topic_id\nOPTED_IN,u1,t1\n") == [
        PreferenceRow(2, "u1", "t1", "OPTED_IN")
    ]


def test_bad_values_are_bad_rows_at_their_line() -> None:
    rows = _csv(
        "recipient_id,topic_id,status,channels\n"
        "u1,digest,REQUIRED,\n"
        "u2,digest,maybe,\n"
        "u3,digest,OPTED_IN,email;fax\n"
        "u4,,OPTED_IN,\n"
        " u5,digest,OPTED_IN,\n"
        "u6,..,OPTED_IN,\n"
        "u7,digest,OPTED_IN\n"
    )
    assert all(isinstance(r, BadRow) for r in rows)
    reasons = {r.line: r.reason for r in rows}
    assert "REQUIRED" in reasons[2] and "not a user's choice" in reasons[2]
    assert "“maybe”" in reasons[3] and "OPTED_IN or OPTED_OUT" in reasons[3]
    assert "“fax” is not a channel" in reasons[4]
    assert "topic ID" in reasons[5]
    assert "whitespace" in reasons[6]
    assert "path step" in reasons[7]
    assert "3 cells, but the header names 4 columns" in reasons[8]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("recipient_id,status", "missing: topic_id"),
        ("recipient_id,topic_id,status,profile", "not a preferences column"),
        ("recipient_id,topic_id,status,status", "a column twice"),
        ("", "empty"),
    ],
)
def test_a_header_that_cannot_be_read_refuses_the_file(header: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        _csv(header + ("\nu1,t,OPTED_IN\n" if header else ""))


def test_jsonl_rows_and_bad_lines() -> None:
    lines = [
        {"recipient_id": "u1", "topic_id": "t", "status": "OPTED_OUT"},
        {"recipient_id": "u2", "topic_id": "t", "status": "OPTED_IN", "channels": ["push"]},
        {"recipient_id": "u3", "topic_id": "t", "status": "OPTED_IN", "tenant_id": "acme"},
        {"recipient_id": "u4", "topic_id": 7, "status": "OPTED_IN"},
        {"recipient_id": "u5", "topic_id": "t", "status": "OPTED_IN", "channels": "push"},
        {"recipient_id": "u6", "topic_id": "t", "status": "OPTED_IN", "profile": {}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n[1]\n{oops\n"
    rows = list(read_preferences_jsonl(io.StringIO(text)))
    assert rows[:3] == [
        PreferenceRow(1, "u1", "t", "OPTED_OUT"),
        PreferenceRow(2, "u2", "t", "OPTED_IN", ("push",)),
        PreferenceRow(3, "u3", "t", "OPTED_IN", None, "acme"),
    ]
    bad = {r.line: r.reason for r in rows[3:] if isinstance(r, BadRow)}
    assert "“topic_id” must be a string" in bad[4]
    assert "array of channel names" in bad[5]
    assert "unknown member(s) profile" in bad[6]
    assert "must be an object" in bad[7]
    assert bad[8].startswith("not JSON")


def test_the_same_topic_twice_for_a_recipient_is_a_bad_row(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(
        "recipient_id,topic_id,status,tenant_id\n"
        "u1,t,OPTED_OUT,\n"
        "u1,other,OPTED_OUT,\n"
        "u1,t,OPTED_OUT,acme\n"  # another tenant: another preference
        "u1,t,OPTED_IN,\n"
    )
    with open_rows(source, kind="preferences") as rows:
        found = list(rows)
    assert [type(r).__name__ for r in found] == ["PreferenceRow"] * 3 + ["BadRow"]
    assert isinstance(found[3], BadRow) and "first on line 2" in found[3].reason
    assert scan(source, kind="preferences").bad == 1


# Recipient and topic IDs as people have them: any printable text without padding.
_ids = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
).filter(lambda s: s == s.strip() and s not in (".", ".."))
_rows = st.lists(
    st.tuples(
        _ids,
        _ids,
        st.sampled_from(["OPTED_IN", "OPTED_OUT"]),
        st.one_of(
            st.none(),
            st.lists(st.sampled_from(["email", "push", "sms", "inbox"]), min_size=1, unique=True),
        ),
        st.one_of(st.none(), _ids),
    ),
    max_size=8,
    unique_by=lambda r: (r[0], r[1], r[4]),
)


@settings(max_examples=60, deadline=None)
@given(_rows)
def test_what_is_written_reads_back_as_written(
    rows: list[tuple[str, str, str, list[str] | None, str | None]],
) -> None:
    expected = [
        (recipient, topic, status, tuple(channels) if channels else None, tenant)
        for recipient, topic, status, channels, tenant in rows
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["recipient_id", "topic_id", "status", "channels", "tenant_id"])
    for recipient, topic, status, channels, tenant in rows:
        writer.writerow([recipient, topic, status, ",".join(channels or []), tenant or ""])
    buffer.seek(0)
    from_csv = list(read_preferences_csv(buffer))
    lines = "".join(
        json.dumps(
            {"recipient_id": r, "topic_id": t, "status": s}
            | ({"channels": c} if c else {})
            | ({"tenant_id": n} if n is not None else {})
        )
        + "\n"
        for r, t, s, c, n in rows
    )
    from_jsonl = list(read_preferences_jsonl(io.StringIO(lines)))
    for read in (from_csv, from_jsonl):
        assert all(isinstance(r, PreferenceRow) for r in read), read
        got = [
            (r.recipient_id, r.topic_id, r.status, r.channels, r.tenant_id)
            for r in read
            if isinstance(r, PreferenceRow)
        ]
        assert got == expected
