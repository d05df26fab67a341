"""The draft keeper driven with a fake snapshot, as the window will drive it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from profile_editor.diagnostics.crash import run_before_report
from profile_editor.storage.drafts import DraftRecord, DraftSlot, DraftStore, drafts_dir
from profile_editor.ui.drafts import prompt as draft_prompt
from profile_editor.ui.drafts.keeper import DraftKeeper

KEY = "dk_test_keeperkey_987654321"


class Editor:
    """Stands in for the window: its state and the snapshot function it hands the keeper."""

    def __init__(self) -> None:
        self.text = ""
        self.recipient = "user-1"
        self.snapshots = 0
        self.snapshot_threads: list[threading.Thread] = []

    def snapshot(self) -> DraftRecord:
        self.snapshots += 1
        self.snapshot_threads.append(threading.current_thread())
        return DraftRecord(
            recipient_id=self.recipient,
            method="POST",
            environment="Sandbox",
            note="",
            profile_text=self.text,
        )

    def type(self, keeper: DraftKeeper, text: str) -> None:
        self.text = text
        keeper.schedule(self.snapshot)


class Answers:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.restore = True
        self.asked: list[DraftRecord] = []
        monkeypatch.setattr(draft_prompt, "ask_restore_draft", self.ask)

    def ask(self, _parent: object, draft: DraftRecord) -> bool:
        self.asked.append(draft)
        return self.restore


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return Answers(monkeypatch)


@pytest.fixture
def start(
    tmp_path: Path, qtbot: QtBot, answers: Answers
) -> Iterator[Callable[..., tuple[DraftKeeper, DraftRecord | None]]]:
    keepers: list[DraftKeeper] = []

    def make(**options: Any) -> tuple[DraftKeeper, DraftRecord | None]:
        options.setdefault("delay_ms", 20)
        keeper, restored = DraftKeeper.start(tmp_path / "data", **options)
        keepers.append(keeper)
        return keeper, restored

    yield make
    for keeper in keepers:
        keeper.close(clean=False)
        assert keeper.pending is False


def on_disk(keeper: DraftKeeper) -> DraftRecord | None:
    return keeper.slot.load()


def test_edits_are_saved_once_after_the_last_one(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], qtbot: QtBot
) -> None:
    keeper, restored = start()
    assert restored is None
    editor = Editor()
    with qtbot.waitSignal(keeper.saved, timeout=5000) as blocker:
        for n in range(5):
            editor.type(keeper, '{"n": ' + str(n))  # invalid JSON, kept as typed
    assert editor.snapshots == 1
    assert blocker.args[0].profile_text == '{"n": 4'
    assert on_disk(keeper) == blocker.args[0]


def test_the_default_debounce_waits_for_a_pause(tmp_path: Path, qtbot: QtBot) -> None:
    keeper = DraftKeeper(DraftStore(tmp_path).open_slot())
    try:
        editor = Editor()
        editor.type(keeper, "{}")
        QApplication.processEvents()
        assert on_disk(keeper) is None and keeper.pending
        with qtbot.waitSignal(keeper.saved, timeout=5000):
            pass
        assert on_disk(keeper) is not None
    finally:
        keeper.close(clean=True)


def test_a_large_text_is_written_off_the_ui_thread_exactly(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keeper, _ = start()
    writers: list[threading.Thread] = []
    real_save = DraftSlot.save

    def recording_save(self: DraftSlot, draft: DraftRecord, **kwargs: Any) -> DraftRecord:
        writers.append(threading.current_thread())
        return real_save(self, draft, **kwargs)

    monkeypatch.setattr(DraftSlot, "save", recording_save)
    editor = Editor()
    big = '{"blob": "' + ("é\\n\t" * 1_500_000) + '"'  # about 6 MB, not valid JSON
    with qtbot.waitSignal(keeper.saved, timeout=20_000):
        editor.type(keeper, big)
    assert editor.snapshot_threads == [threading.main_thread()]
    assert writers and all(w is not threading.main_thread() for w in writers)
    draft = on_disk(keeper)
    assert draft is not None and draft.profile_text == big


def test_the_key_never_reaches_the_draft_file(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], qtbot: QtBot
) -> None:
    keeper, _ = start(secrets=lambda: [KEY])
    editor = Editor()
    with qtbot.waitSignal(keeper.saved, timeout=5000) as blocker:
        editor.type(keeper, f'{{"token": "{KEY}"}}')
    assert blocker.args[0].secrets_masked
    assert KEY not in keeper.slot.path.read_text(encoding="utf-8")


def test_clear_removes_the_draft_after_earlier_writes(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], qtbot: QtBot
) -> None:
    keeper, _ = start()
    editor = Editor()
    with qtbot.waitSignal(keeper.saved, timeout=5000):
        editor.type(keeper, "first")
    editor.type(keeper, "second")
    keeper.flush()  # a write just before the save ...
    with qtbot.waitSignal(keeper.cleared, timeout=5000):
        keeper.clear()  # ... cannot come back after it
    assert on_disk(keeper) is None
    editor.type(keeper, "after the save")
    keeper.clear()  # a pending edit is dropped, not written
    with qtbot.waitSignal(keeper.cleared, timeout=5000):
        pass
    assert on_disk(keeper) is None and not keeper.pending


def test_an_unclean_end_leaves_the_latest_edit_for_the_next_start(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], answers: Answers
) -> None:
    keeper, _ = start(delay_ms=60_000)
    editor = Editor()
    editor.type(keeper, '{"typed": "just now"')
    keeper.close(clean=False)  # the debounce had not fired: the edit is written now
    second, restored = start()
    assert [d.profile_text for d in answers.asked] == ['{"typed": "just now"']
    assert restored is not None and restored.profile_text == '{"typed": "just now"'
    assert restored.recipient_id == "user-1" and restored.method == "POST"
    # The restored draft stays on disk, now under the new window, until it closes cleanly.
    assert second.window_id == keeper.window_id and on_disk(second) == restored
    second.close(clean=True)
    assert list(drafts_dir(second.slot.path.parent.parent).iterdir()) == []


def test_discarding_a_leftover_removes_it(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], answers: Answers
) -> None:
    keeper, _ = start(delay_ms=60_000)
    Editor().type(keeper, "{}")
    keeper.close(clean=False)
    answers.restore = False
    second, restored = start()
    assert restored is None and len(answers.asked) == 1 and on_disk(second) is None
    start()
    assert len(answers.asked) == 1  # nothing left to offer


def test_a_clean_close_leaves_nothing_to_offer(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], answers: Answers, qtbot: QtBot
) -> None:
    keeper, _ = start()
    with qtbot.waitSignal(keeper.saved, timeout=5000):
        Editor().type(keeper, "{}")
    keeper.close(clean=True)
    start()
    assert answers.asked == []


def test_two_windows_keep_separate_drafts_and_do_not_offer_each_others(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], answers: Answers, qtbot: QtBot
) -> None:
    first, _ = start()
    second, _ = start()
    assert answers.asked == [] and first.window_id != second.window_id
    one, two = Editor(), Editor()
    two.recipient = "user-2"
    with qtbot.waitSignal(first.saved, timeout=5000):
        one.type(first, "one")
    with qtbot.waitSignal(second.saved, timeout=5000):
        two.type(second, "two")
    _third, restored = start()
    assert answers.asked == [] and restored is None
    assert on_disk(first).profile_text == "one"  # type: ignore[union-attr]
    assert on_disk(second).recipient_id == "user-2"  # type: ignore[union-attr]


def test_the_crash_hooks_save_the_latest_edit_first(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]],
) -> None:
    keeper, _ = start(delay_ms=60_000)
    Editor().type(keeper, '{"unsaved": true}')
    run_before_report()  # what the hooks do before logging and showing the error
    draft = on_disk(keeper)
    assert draft is not None and draft.profile_text == '{"unsaved": true}'


def test_the_question_names_the_time_and_offers_restore_and_discard(qtbot: QtBot) -> None:
    saved_at = datetime.now(UTC).replace(second=0, microsecond=0)
    draft = DraftRecord(recipient_id="user-9", profile_text="{", saved_at=saved_at)
    seen: dict[str, Any] = {}

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"] = box.text()
        seen["buttons"] = sorted(b.text() for b in box.findChildren(QPushButton))
        [button] = [b for b in box.buttons() if b.text().startswith(button_text)]
        button.click()

    QTimer.singleShot(0, lambda: answer("Restore"))
    assert draft_prompt.ask_restore_draft(None, draft) is True
    local = saved_at.astimezone().strftime("%H:%M")
    assert seen["text"] == f"Restore the unsaved draft from {local}?"
    assert seen["buttons"] == ["Discard", "Restore draft"]
    QTimer.singleShot(0, lambda: answer("Discard"))
    assert draft_prompt.ask_restore_draft(None, draft) is False


def test_an_older_draft_names_its_day() -> None:
    now = datetime(2026, 11, 27, 12, 0).astimezone()
    then = datetime(2026, 11, 26, 10, 42).astimezone()
    assert draft_prompt.draft_time_text(then, now) == "26 Nov 10:42"
    assert draft_prompt.draft_time_text(now, now) == "12:00"


def test_the_question_can_wait_for_the_first_paint(
    tmp_path: Path, qtbot: QtBot, answers: Answers
) -> None:
    first = DraftKeeper.open(tmp_path, delay_ms=60_000)
    Editor().type(first, "left behind")
    first.close(clean=False)
    keeper = DraftKeeper.open(tmp_path, delay_ms=20)
    try:
        assert answers.asked == []  # opening asks nothing
        waiting = keeper.leftover
        assert waiting is not None and waiting.profile_text == "left behind"
        assert keeper.offer_leftover(None) == waiting
        assert (keeper.leftover, keeper.offer_leftover(None)) == (None, None)  # asked once
        assert len(answers.asked) == 1
    finally:
        keeper.close(clean=True)


def test_discarding_after_new_edits_keeps_the_newer_draft(
    tmp_path: Path, qtbot: QtBot, answers: Answers
) -> None:
    first = DraftKeeper.open(tmp_path, delay_ms=60_000)
    Editor().type(first, "old")
    first.close(clean=False)
    keeper = DraftKeeper.open(tmp_path, delay_ms=20)
    try:
        with qtbot.waitSignal(keeper.saved, timeout=5000):
            Editor().type(keeper, "new")
        answers.restore = False
        assert keeper.offer_leftover(None) is None
        record = on_disk(keeper)
        assert record is not None
        assert record.profile_text == "new"
    finally:
        keeper.close(clean=True)


def test_steady_typing_is_on_disk_within_a_second_of_each_edit(
    tmp_path: Path, qtbot: QtBot
) -> None:
    # One edit every 100-400 ms never leaves a pause of a second, nor even of the debounce.
    keeper = DraftKeeper(DraftStore(tmp_path).open_slot())  # the real timings
    editor, rng, edits = Editor(), random.Random(14), 12
    typed: list[tuple[float, str]] = []
    written: list[tuple[float, str]] = []  # reported after the file was replaced
    keeper.saved.connect(lambda draft: written.append((time.monotonic(), draft.profile_text)))
    timer = QTimer(singleShot=True)

    def edit() -> None:
        editor.type(keeper, editor.text + "x")
        typed.append((time.monotonic(), editor.text))
        if len(typed) < edits:
            timer.start(rng.randint(100, 400))

    timer.timeout.connect(edit)
    try:
        edit()
        qtbot.waitUntil(
            lambda: len(typed) == edits and bool(written) and written[-1][1] == editor.text,
            timeout=15_000,
        )
        for when, text in typed:
            on_disk = next(t for t, saved in written if len(saved) >= len(text))
            assert on_disk - when <= 1.0, (text, on_disk - when)
        assert on_disk_text(keeper) == editor.text
    finally:
        timer.stop()
        keeper.close(clean=True)


def on_disk_text(keeper: DraftKeeper) -> str | None:
    draft = on_disk(keeper)
    return draft.profile_text if draft is not None else None


def test_one_write_at_a_time_then_the_newest_edit(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A slow disk: edits made while a write runs are not queued as old snapshots, the newest
    # one is written as soon as the running write has landed.
    keeper, _ = start()
    release, writing = threading.Event(), threading.Event()
    real_save = DraftSlot.save

    def slow_save(self: DraftSlot, draft: DraftRecord, **kwargs: Any) -> DraftRecord:
        writing.set()
        release.wait(10)
        return real_save(self, draft, **kwargs)

    monkeypatch.setattr(DraftSlot, "save", slow_save)
    editor = Editor()
    saved: list[str] = []
    keeper.saved.connect(lambda draft: saved.append(draft.profile_text))
    editor.type(keeper, "one")
    qtbot.waitUntil(writing.is_set)
    for text in ("two", "three", "four"):
        editor.type(keeper, text)
        qtbot.waitUntil(lambda: not keeper._timer.isActive())  # Internal: its save came due
    release.set()
    qtbot.waitUntil(lambda: saved == ["one", "four"], timeout=5000)
    assert editor.snapshots == 2 and on_disk_text(keeper) == "four"


def test_a_snapshot_may_be_made_on_the_writer(
    start: Callable[..., tuple[DraftKeeper, DraftRecord | None]], qtbot: QtBot
) -> None:
    keeper, _ = start()
    made: list[threading.Thread] = []

    def later() -> DraftRecord:
        made.append(threading.current_thread())
        return DraftRecord(recipient_id="user-1", profile_text="made later")

    with qtbot.waitSignal(keeper.saved, timeout=5000) as blocker:
        keeper.schedule(lambda: later)
    assert blocker.args[0].profile_text == "made later"
    assert made and made[0] is not threading.main_thread()
    keeper.schedule(lambda: later)
    keeper.flush()  # the crash hooks: made and written on the calling thread, at once
    assert made[-1] is threading.main_thread() and on_disk_text(keeper) == "made later"
