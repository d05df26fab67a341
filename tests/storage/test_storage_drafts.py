"""Drafts on disk: per window, atomic, never with the key, leftovers only from dead windows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from profile_editor.storage import atomic
from profile_editor.storage.drafts import DraftRecord, DraftSlot, DraftStore

KEY = "dk_test_draftkey_0123456789"

INVALID_TEXT = '{\n  "email": "a@example.com",\n  "plan": NaN,,\n  "name": "Zoë\t"\n'


class ClosingStore(DraftStore):
    """Closes every slot a test leaves open (an open slot holds a file)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.slots: list[DraftSlot] = []

    def open_slot(self) -> DraftSlot:
        self.slots.append(super().open_slot())
        return self.slots[-1]

    def claim_leftover(self) -> DraftSlot | None:
        slot = super().claim_leftover()
        if slot is not None:
            self.slots.append(slot)
        return slot


@pytest.fixture
def stores() -> Iterator[Callable[[Path], DraftStore]]:
    made: list[ClosingStore] = []

    def make(directory: Path) -> DraftStore:
        made.append(ClosingStore(directory))
        return made[-1]

    yield make
    for store in made:
        for slot in store.slots:
            slot.close(clear=False)


def sample(**changes: object) -> DraftRecord:
    values: dict[str, object] = {
        "recipient_id": "user-1",
        "method": "PUT",
        "environment": "Sandbox",
        "note": "half-way through",
        "profile_text": INVALID_TEXT,
    }
    values.update(changes)
    return DraftRecord(**values)  # type: ignore[arg-type]


def test_a_draft_round_trips_exactly_even_when_the_json_is_invalid(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    store = stores(tmp_path / "drafts")
    slot = store.open_slot()
    draft = sample()
    slot.save(draft)
    assert slot.load() == draft
    assert slot.load() is not None and slot.load().profile_text == INVALID_TEXT  # type: ignore[union-attr]


def test_two_windows_keep_separate_drafts(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    store = stores(tmp_path / "drafts")
    first, second = store.open_slot(), store.open_slot()
    assert first.window_id != second.window_id
    first.save(sample(recipient_id="one"))
    second.save(sample(recipient_id="two"))
    assert first.load().recipient_id == "one"  # type: ignore[union-attr]
    assert second.load().recipient_id == "two"  # type: ignore[union-attr]
    first.close(clear=True)
    assert first.load() is None and second.load() is not None


def test_the_key_is_masked_before_anything_is_written(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    slot = stores(tmp_path / "drafts").open_slot()
    leaky = sample(profile_text=f'{{"token": "{KEY}"}}', note=f"key is {KEY}")
    written = slot.save(leaky, secrets=[KEY])
    on_disk = slot.path.read_text(encoding="utf-8")
    assert KEY not in on_disk
    assert written.secrets_masked and '"token": "****"' in written.profile_text
    assert slot.load() == written
    # Without the key in it, the draft is written as it is.
    assert not slot.save(sample(), secrets=[KEY]).secrets_masked


def test_a_key_in_the_patch_text_is_masked_too(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    slot = stores(tmp_path / "drafts").open_slot()
    patch = f'[{{"op": "add", "path": "/token", "value": "{KEY}"}}]'
    written = slot.save(sample(patch_text=patch), secrets=[KEY])
    assert KEY not in slot.path.read_text(encoding="utf-8")
    assert written.secrets_masked and '"value": "****"' in written.patch_text


def test_a_json_escaped_key_is_masked_too(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    slot = stores(tmp_path / "drafts").open_slot()
    key = 'dk_test_quote"inside'
    slot.save(sample(profile_text='{"k": "dk_test_quote\\"inside"}'), secrets=[key])
    assert "quote" not in slot.path.read_text(encoding="utf-8")


def test_a_crash_while_writing_keeps_the_previous_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stores: Callable[[Path], DraftStore]
) -> None:
    slot = stores(tmp_path / "drafts").open_slot()
    slot.save(sample(note="first"))

    def crash(_tmp: Path, _dest: Path) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(atomic, "_before_replace", crash)
    with pytest.raises(OSError):
        slot.save(sample(note="second"))
    assert slot.load().note == "first"  # type: ignore[union-attr]
    assert [p.name for p in slot.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_live_windows_draft_is_not_a_leftover(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    store = stores(tmp_path / "drafts")
    live = store.open_slot()
    live.save(sample())
    assert store.leftovers() == []
    assert store.claim_leftover() is None
    live.close(clear=False)  # as if the process had died: the lock is gone, the draft stays
    [(window_id, draft)] = store.leftovers()
    assert window_id == live.window_id and draft == sample(saved_at=draft.saved_at)


def test_claiming_takes_the_newest_leftover_and_locks_it(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    store = stores(tmp_path / "drafts")
    now = datetime.now(UTC)
    for note, age in (("old", 60), ("new", 5)):
        slot = store.open_slot()
        slot.save(sample(note=note, saved_at=now - timedelta(seconds=age)))
        slot.close(clear=False)
    claimed = store.claim_leftover()
    assert claimed is not None and claimed.leftover is not None
    assert claimed.leftover.note == "new"
    # A second window starting now gets the other one, not the one being offered.
    other = store.claim_leftover()
    assert other is not None and other.leftover is not None and other.leftover.note == "old"
    assert store.claim_leftover() is None
    claimed.close(clear=True)
    other.close(clear=True)
    assert sorted(p.name for p in (tmp_path / "drafts").iterdir()) == []


def test_unreadable_drafts_are_left_alone(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    directory = tmp_path / "drafts"
    directory.mkdir()
    (directory / "broken.json").write_text("{not json", encoding="utf-8")
    (directory / "future.json").write_text('{"format": 99}', encoding="utf-8")
    store = stores(directory)
    assert store.leftovers() == []
    assert store.claim_leftover() is None
    assert (directory / "broken.json").read_text(encoding="utf-8") == "{not json"


def test_a_killed_process_leaves_its_draft_to_the_next_run(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    directory = tmp_path / "drafts"
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from profile_editor.storage.drafts import DraftRecord, DraftStore\n"
        "slot = DraftStore(Path(sys.argv[1])).open_slot()\n"
        "slot.save(DraftRecord(recipient_id='from-child', profile_text='{\"a\": '))\n"
        "print(slot.window_id, flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", child, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            window_id = proc.stdout.readline().strip()
            store = stores(directory)
            assert store.leftovers() == []  # alive: its draft is not ours to offer
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    slot = store.claim_leftover()
    assert slot is not None and slot.window_id == window_id
    assert slot.leftover is not None and slot.leftover.recipient_id == "from-child"
    assert slot.leftover.profile_text == '{"a": '
    slot.close(clear=True)


def test_a_draft_file_is_plain_json_without_the_key(
    tmp_path: Path, stores: Callable[[Path], DraftStore]
) -> None:
    slot = stores(tmp_path / "drafts").open_slot()
    slot.save(sample(recipient_id=KEY), secrets=[KEY])
    text = slot.path.read_text(encoding="utf-8")
    assert '"recipient_id": "****"' in text and '"secrets_masked": true' in text


def test_a_record_is_made_from_the_editors_draft_and_its_text() -> None:
    from profile_editor.core.methods import Method
    from profile_editor.core.send.draft import Draft

    draft = Draft(recipient_id="user-7", method=Method.PUT, environment=None, note="n")
    record = DraftRecord.of(draft, '{"half": ')
    assert (record.recipient_id, record.method, record.environment, record.note) == (
        "user-7",
        "PUT",
        "",
        "n",
    )
    assert record.profile_text == '{"half": '


def test_a_patch_typed_in_patch_mode_survives_in_the_draft() -> None:
    record = DraftRecord("r", "PATCH", "", "", "{}", patch_text='[{"op": "remove", "path": "/a"')
    again = DraftRecord.from_json(record.to_json())
    assert again.patch_text == record.patch_text  # half-typed, as it was
    older = DraftRecord.from_json(record.to_json().replace('"patch_text"', '"other"'))
    assert older.patch_text == ""  # drafts written before patches were kept still read


def test_a_large_text_written_in_slices_reads_back_exactly() -> None:
    text = (
        '{\n  "a": "é\\"\\\\\t' + "x" * 70_000 + '",\n  "b": 1\n'
    ) * 3 + "\u2028 \U0001f600 not json"
    record = DraftRecord("r", "POST", "", "", text)
    assert DraftRecord.from_json(record.to_json()).profile_text == text
