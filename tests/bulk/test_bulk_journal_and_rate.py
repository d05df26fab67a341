"""The journal survives a torn last line; the run's pace follows AIMD and obeys Retry-After."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from profile_editor.bulk.journal import Journal, JournalError, read_journal, row_key
from profile_editor.bulk.rate import MIN_RATE, RunRate
from profile_editor.core.http.cancel import CancelToken


def test_journal_round_trip_with_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.start(path, {"run_id": "r1", "method": "POST"})
    journal.record({"line": 2, "status": "done"})
    journal.record({"line": 3, "status": "failed"})
    journal.record({"line": 4, "status": "bad"})
    journal.close()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"line": 5, "stat')  # killed mid-write
    state = read_journal(path)
    assert (state.run_id, state.finished, state.failed, state.torn_lines) == ("r1", {2, 4}, {3}, 1)

    again = Journal.reopen(path)
    again.record({"line": 3, "status": "done"})
    again.close()
    state = read_journal(path)
    assert state.finished == {2, 3, 4} and state.failed == set()
    assert json.loads(path.read_text().splitlines()[-1]) == {"line": 3, "status": "done"}

    with pytest.raises(JournalError, match="--resume"):
        Journal.start(path, {"run_id": "r2"})


def test_journal_errors(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="nothing to resume"):
        read_journal(tmp_path / "none.jsonl")
    other = tmp_path / "other.jsonl"
    other.write_text('{"something": "else"}\n')
    with pytest.raises(JournalError, match="not a bulk journal"):
        read_journal(other)


def test_row_keys_depend_on_run_line_and_recipient() -> None:
    key = row_key("run", 7, "u7")
    assert key == row_key("run", 7, "u7")
    assert (
        len({key, row_key("run2", 7, "u7"), row_key("run", 8, "u7"), row_key("run", 7, "u8")}) == 4
    )


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Waits(CancelToken):
    """Records the waits instead of sleeping, and moves the fake clock on."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.clock = clock
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(round(seconds, 3))
        self.clock.now += seconds
        return False


def test_rate_is_unlimited_until_429_then_pauses_and_halves() -> None:
    clock = _Clock()
    rate = RunRate(clock)
    token = _Waits(clock)
    for _ in range(20):
        assert rate.acquire(token)
        clock.now += 0.05  # 20 requests/s
    assert token.waits == [] and rate.rate is None

    rate.throttled(2.0)  # Retry-After: 2
    assert rate.rate == pytest.approx(10.0)
    rate.throttled(0.0)  # the same burst: no second decrease
    assert rate.rate == pytest.approx(10.0)
    assert rate.acquire(token)
    assert token.waits == [2.0]  # the whole run waits out Retry-After
    assert rate.acquire(token)
    assert token.waits[-1] == pytest.approx(0.1)  # then 10/s

    clock.now += 1.5
    before = rate.rate
    assert before is not None and before > 10.0  # grown meanwhile
    rate.throttled(0.0)
    assert rate.rate == pytest.approx(before / 2)
    clock.now += 3.0
    rate.acquire(token)
    assert rate.rate == pytest.approx(before / 2 + 3 * 1.0)  # additive: 1/20 of 20/s a second
    clock.now += 20.0
    rate.acquire(token)
    assert rate.rate is None  # back above where it started: no pace of its own


def test_rate_never_stops() -> None:
    clock = _Clock()
    rate = RunRate(clock)
    for _ in range(30):
        clock.now += 1.0
        rate.throttled(0.0)
    assert rate.rate == MIN_RATE
