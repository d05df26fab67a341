"""Reading bulk inputs: typed and dotted CSV headers, JSONL, bad rows with their line numbers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from profile_editor.bulk.csv_input import convert, parse_header, read_csv
from profile_editor.bulk.inputs import open_rows, preview, scan
from profile_editor.bulk.jsonl_input import read_jsonl
from profile_editor.bulk.rows import BadRow, InputError, Row


def _csv(text: str) -> list[Row | BadRow]:
    return list(read_csv(io.StringIO(text, newline="")))


def test_cells_are_strings_typed_columns_convert_and_dots_nest() -> None:
    rows = _csv(
        "recipient_id,zip,age:number,score:number,vip:boolean,custom.plan,custom.tags:json\n"
        'u1,00123,31,-2.5e1,TRUE,pro,"[""a"", 1]"\n'
    )
    assert rows == [
        Row(
            2,
            "u1",
            {
                "zip": "00123",
                "age": 31,
                "score": -25.0,
                "vip": True,
                "custom": {"plan": "pro", "tags": ["a", 1]},
            },
        )
    ]


def test_an_empty_cell_leaves_the_key_out_and_a_short_row_is_bad() -> None:
    rows = _csv("recipient_id,a,b:number,c.d\nu1,,,\nu2,x\n\nu3, ,7,\n")
    assert rows == [
        Row(2, "u1", {}),
        # A missing cell may be a lost comma or line break: said, not guessed.
        BadRow(3, "u2", "2 cells, but the header names 4 columns"),
        Row(5, "u3", {"a": " ", "b": 7}),
    ]


def test_bad_cells_name_their_column_and_line() -> None:
    rows = _csv(
        "recipient_id,age:number,vip:boolean,meta:json\n"
        "u1,NaN,,\nu2,,maybe,\nu3,,,{bad\nu4,1,2,3,4\n"
        'u5,"multi\nline",,\nu6,007,,\n'
    )
    assert [(r.line, type(r).__name__) for r in rows] == [
        (2, "BadRow"),
        (3, "BadRow"),
        (4, "BadRow"),
        (5, "BadRow"),
        (6, "BadRow"),
        (8, "BadRow"),
    ]
    reasons = [r.reason for r in rows if isinstance(r, BadRow)]
    assert "“NaN” is not a number" in reasons[0]
    assert "“maybe” is not true or false" in reasons[1]
    assert "column “meta:json”: not JSON" in reasons[2]
    assert "5 cells, but the header names 4" in reasons[3]


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (["id", "a"], "recipient_id"),
        (["recipient_id", "recipient_id"], "twice"),
        (["recipient_id", "a:int"], "unknown type"),
        (["recipient_id", "a..b"], "dotted"),
        (["recipient_id", "a", "a"], "same key"),
        (["recipient_id", "a:number", "a"], "same key"),
        (["recipient_id", "custom", "custom.plan"], "overlap"),
        (["recipient_id", ""], "no name"),
    ],
)
def test_bad_headers_stop_the_file(header: list[str], words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_header(header)


def test_convert_numbers_strictly() -> None:
    assert convert("number", "0") == 0 and convert("number", "1e3") == 1000.0
    for text in ("1,5", "0x10", "inf", "", "+1"):
        with pytest.raises(ValueError):
            convert("number", text)
    assert convert("boolean", " no ") is False and convert("json", "null") is None


def test_jsonl_rows() -> None:
    text = (
        '{"recipient_id": "u1", "profile": {"a": 1}}\n'
        "\n"
        '{"recipient_id": "u2", "profile": []}\n'
        '{"recipient_id": 3, "profile": {}}\n'
        '{"recipient_id": "u4", "profile": {}, "extra": 1}\n'
        "[1]\n"
        '{"recipient_id": "u6", "profile": {"a": NaN}}\n'
    )
    rows = list(read_jsonl(io.StringIO(text)))
    assert rows[0] == Row(1, "u1", {"a": 1})
    assert [(r.line, isinstance(r, BadRow)) for r in rows[1:]] == [
        (3, True),
        (4, True),
        (5, True),
        (6, True),
        (7, True),
    ]


def test_checked_rows_refuse_bad_ids_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("\ufeffrecipient_id,a\nu1,x\n,y\n..,z\nu1,again\na/b,ok\n", encoding="utf-8")
    with open_rows(path) as rows:
        result = list(rows)
    assert [(r.line, r.recipient_id, isinstance(r, BadRow)) for r in result] == [
        (2, "u1", False),
        (3, "", True),
        (4, "..", True),
        (5, "u1", True),
        (6, "a/b", False),
    ]
    shown = preview(path, limit=1)
    assert shown.mapping == [("a", "a", "string")]
    assert [r.recipient_id for r in shown.rows] == ["u1"]
    assert [b.line for b in shown.bad] == [3, 4, 5] and shown.total == 5


def test_bytes_that_are_not_utf8_make_their_row_bad_and_in_the_header_stop_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"recipient_id,a\nu1,\xff\xfe\nu2,ok\n")
    with open_rows(path) as rows:
        assert list(rows) == [
            BadRow(2, "u1", "not UTF-8 text (byte 0xFF at character 1 in cell 2)"),
            Row(3, "u2", {"a": "ok"}),
        ]
    path.write_bytes(b"recipient_id,caf\xe9\nu1,x\n")
    with (
        pytest.raises(InputError, match="Line 1: the header is not UTF-8"),
        open_rows(path) as rows,
    ):
        list(rows)


def test_a_header_that_most_rows_do_not_fit_stops_the_file(tmp_path: Path) -> None:
    # A header split in two by a damaged byte: its second half would read as a row.
    path = tmp_path / "in.csv"
    path.write_bytes(b"recipient_id,locale\rplan\r\nu1,fr-FR,pro\r\nu2,de-DE,basic\r\n")
    with pytest.raises(InputError, match="3 of 3 rows do not have the header's number of cells"):
        scan(path)
    with pytest.raises(InputError, match="line 1 is the header"):
        preview(path)
    path.write_bytes(b"recipient_id,locale,plan\r\nu1,fr-FR,pro\r\nu2,de-DE\r\nu3,,\r\n")
    assert (scan(path).total, scan(path).bad) == (3, 1)  # one short row is just a bad row
