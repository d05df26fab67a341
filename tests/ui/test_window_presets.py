"""Issue: presets in the real window — save, open, rename, duplicate, delete, unsaved changes,
broken files, two windows, failed writes — against the real sandbox and a real data folder."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QListView
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage import atomic
from profile_editor.ui.common import dialogs
from profile_editor.ui.presets.panel import MODIFIED_PREFIX

# Deliberately not in sorted order: the file must keep the order the user wrote.
PROFILE_TEXT = '{"zeta": 1, "alpha": {"b": 2, "a": [3, "x"]}, "mid": null}'
PROFILE_KEYS = ["zeta", "alpha", "mid"]
UNICODE_NAME = "Ünïcødé 名前 ✓ — café"


# -- helpers ------------------------------------------------------------------------------


def read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def row_text(window: WindowDriver, path: Path) -> str:
    panel = window.presets()
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(path), 0))
    return str(index.data(Qt.ItemDataRole.DisplayRole))


def select(window: WindowDriver, path: Path) -> None:
    assert window.presets().select_path(path)


def editor_state(window: WindowDriver) -> tuple[str, str, str, str, Any]:
    return (
        window.recipient(),
        window.method(),
        window.environment_shown(),
        window.note(),
        window.profile(),
    )


# -- saving ---------------------------------------------------------------------------------


def test_ctrl_s_on_a_new_preset_asks_a_name_and_writes_one_stable_file(
    window: WindowDriver, dialog_stub: DialogStub, sandbox: SandboxServer
) -> None:
    window.fill(recipient="ada", profile=PROFILE_TEXT, method="PUT", note="for the demo")
    assert window.title().startswith("*Untitled")
    dialog_stub.answer("ask_text", UNICODE_NAME)

    window.press_save_shortcut()

    assert dialog_stub.kinds() == ["ask_text"]
    files = window.preset_files()
    assert [p.name for p in files] == [f"{UNICODE_NAME}.json"]
    text = files[0].read_text(encoding="utf-8")
    data = json.loads(text)
    assert data == {
        "schema_version": 1,
        "name": UNICODE_NAME,
        "recipient_id": "ada",
        "method": "PUT",
        "environment": window.environment_shown(),
        "note": "for the demo",
        "profile": {"zeta": 1, "alpha": {"b": 2, "a": [3, "x"]}, "mid": None},
    }
    assert data["environment"] == "Custom"
    assert list(data["profile"]) == PROFILE_KEYS
    assert list(data["profile"]["alpha"]) == ["b", "a"]
    # Pretty, human-readable and diff-friendly: indented, real Unicode, final newline.
    assert text.startswith('{\n  "schema_version": 1,\n') and text.endswith("}\n")
    assert UNICODE_NAME in text
    assert sandbox.key not in text

    assert not window.title().startswith("*")
    assert UNICODE_NAME in window.title()
    assert row_text(window, files[0]) == UNICODE_NAME
    assert "Saved preset" in window.status()

    # Saving again without changes asks nothing and writes the very same bytes.
    before = files[0].read_bytes()
    window.press_save_shortcut()
    assert dialog_stub.kinds() == ["ask_text"]
    assert window.preset_files() == files
    assert files[0].read_bytes() == before


@pytest.mark.parametrize(
    ("name", "file_name"),
    [
        ("a/b: c?", "a_b_ c_.json"),
        ("CON", "_CON.json"),
        ("..hidden", "hidden.json"),
        ("emoji 🚀 and RTL שלום", "emoji 🚀 and RTL שלום.json"),
    ],
)
def test_any_name_is_kept_in_the_file_whatever_the_file_is_called(
    window: WindowDriver, dialog_stub: DialogStub, name: str, file_name: str
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    path = window.save_preset(name)
    assert path.name == file_name
    assert read_json(path)["name"] == name
    assert row_text(window, path) == name
    assert name in window.title()


def test_an_unnamed_save_cancelled_at_the_name_writes_nothing(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    dialog_stub.answer("ask_text", None)
    window.press_save_shortcut()
    assert dialog_stub.kinds() == ["ask_text"]
    assert window.preset_files() == []
    assert window.title().startswith("*Untitled")


def test_reopen_round_trip_restores_every_field(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile=PROFILE_TEXT, method="PUT", note="first note")
    first_state = editor_state(window)
    first = window.save_preset("First")

    window.new_preset()
    assert editor_state(window)[0] == "" and editor_state(window)[4] == {}
    window.choose_environment("EU")
    window.fill(recipient="bob@example.com", profile='{"b": true}', method="DELETE", note="2nd")
    second_state = editor_state(window)
    second = window.save_preset("Second")
    assert read_json(second)["environment"] == "EU"

    window.open_preset(first)
    assert editor_state(window) == first_state
    assert list(window.profile() or {}) == PROFILE_KEYS
    assert window.environment_shown() == "Custom"
    assert "First" in window.title() and not window.title().startswith("*")
    assert window.open_preset_path() == first

    window.open_preset(second)
    assert editor_state(window) == second_state
    assert window.base_url() == "https://api.eu.courier.com"
    assert not window.profile_editable()  # DELETE has no body to edit
    assert "Second" in window.title() and not window.title().startswith("*")
    # Neither opening was a change: nothing was asked besides the two names.
    assert dialog_stub.kinds() == ["ask_text", "ask_text"]

    # "Save as" from an open preset suggests a copy's name and moves the window to the copy.
    window.set_note("changed in the copy")
    dialog_stub.answer("ask_text", "Second, again")
    window.save_as()
    question = dialog_stub.last()
    assert (question.kind, question.args) == (
        "ask_text",
        ("Save preset", "Preset name:", "Second copy"),
    )
    again = window.presets_dir() / "Second, again.json"
    assert read_json(again)["note"] == "changed in the copy"
    assert read_json(second)["note"] == "2nd"
    assert window.open_preset_path() == again
    assert window.title().startswith("Second, again")


def test_a_key_is_never_written_into_a_preset(
    window: WindowDriver, dialog_stub: DialogStub, sandbox: SandboxServer
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}', note=f"key is {sandbox.key}")
    dialog_stub.answer("ask_text", "Leaky")
    window.press_save_shortcut()
    assert dialog_stub.kinds() == ["ask_text", "inform"]
    assert "API key" in dialog_stub.text_of("inform")
    assert window.preset_files() == []
    assert window.title().startswith("*")

    window.set_note("clean")
    window.set_json_text(json.dumps({"token": sandbox.key}))
    window.press_save_shortcut()
    assert dialog_stub.kinds()[-1] == "inform"
    assert window.preset_files() == []


# -- rename, duplicate, delete, import, export ---------------------------------------------------


def test_rename_duplicate_delete_through_the_panel(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}', note="n")
    original = window.save_preset("Original")

    # Rename the preset that is open: the window follows it to its new file.
    select(window, original)
    dialog_stub.answer("ask_text", "Renamed ✓")
    window.presets().rename_action.trigger()
    renamed = window.presets_dir() / "Renamed ✓.json"
    assert window.preset_files() == [renamed]
    assert read_json(renamed)["name"] == "Renamed ✓"
    assert window.open_preset_path() == renamed
    assert "Renamed ✓" in window.title() and not window.title().startswith("*")

    # Saving after the rename goes to the new file, with no "changed on disk" question.
    window.set_json_text('{"a": 2}')
    assert window.title().startswith("*Renamed ✓")
    window.save()
    assert dialog_stub.kinds() == ["ask_text", "ask_text"]
    assert window.preset_files() == [renamed]
    assert read_json(renamed)["profile"] == {"a": 2}

    # Duplicate: a second file, same content, the window stays on the original.
    select(window, renamed)
    window.presets().duplicate_action.trigger()
    copy = window.presets_dir() / "Renamed ✓ copy.json"
    assert window.preset_files() == sorted([renamed, copy])
    assert {**read_json(copy), "name": "Renamed ✓"} == read_json(renamed)
    assert window.open_preset_path() == renamed

    # Delete asks first; cancelling keeps the file.
    select(window, copy)
    dialog_stub.answer("confirm", False)
    window.presets().delete_action.trigger()
    assert dialog_stub.kinds()[-1] == "confirm"
    assert "Renamed ✓ copy" in dialog_stub.text_of("confirm")
    assert copy.exists()
    dialog_stub.answer("confirm", True)
    window.presets().delete_action.trigger()
    assert not copy.exists()
    assert [e.path for e in window.presets().entries()] == [renamed]

    # Deleting the open preset keeps its content in the editor, now unsaved.
    select(window, renamed)
    window.presets().delete_action.trigger()
    assert window.preset_files() == []
    assert window.title().startswith("*Untitled")
    assert window.profile() == {"a": 2}
    assert window.recipient() == "ada"


def test_export_and_import_through_the_panel(
    window: WindowDriver, dialog_stub: DialogStub, tmp_path: Path
) -> None:
    window.fill(recipient="ada", profile=PROFILE_TEXT, note="shared")
    saved = window.save_preset("Shared")
    select(window, saved)
    exported = tmp_path / "outside" / "shared.json"
    exported.parent.mkdir()
    assert window.presets().export_selected(exported)
    assert read_json(exported) == read_json(saved)

    imported = window.presets().import_preset(exported)
    assert imported is not None and imported.path.name == "Shared-2.json"
    assert len(window.preset_files()) == 2
    window.open_preset(imported.path)
    assert list(window.profile() or {}) == PROFILE_KEYS
    assert window.note() == "shared"


# -- unsaved changes ------------------------------------------------------------------------------


def test_unsaved_marker_and_prompt_when_opening_another_preset(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    first = window.save_preset("First")
    window.new_preset()
    window.fill(recipient="bob", profile='{"b": 1}')
    second = window.save_preset("Second")
    window.open_preset(first)
    assert not window.title().startswith("*")
    assert row_text(window, first) == "First"

    window.set_json_text('{"a": "edited"}')
    assert window.title().startswith("*First")
    assert row_text(window, first) == MODIFIED_PREFIX + "First"
    # Each part of a preset counts, and undoing the change clears the marker.
    window.set_profile_modified(False)
    window.set_note("x")
    assert window.title().startswith("*First")
    window.set_note("")
    assert not window.title().startswith("*")
    window.set_json_text('{"a": "edited"}')
    first_bytes = first.read_bytes()

    # Cancel: nothing changes.
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    window.open_preset(second)
    assert dialog_stub.kinds()[-1] == "ask_save_discard_cancel"
    assert "First" in dialog_stub.text_of("ask_save_discard_cancel")
    assert window.profile() == {"a": "edited"}
    assert window.title().startswith("*First")
    assert window.open_preset_path() == first
    assert first.read_bytes() == first_bytes

    # Discard: the other preset opens; the file keeps what was saved.
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    window.open_preset(second)
    assert window.recipient() == "bob"
    assert not window.title().startswith("*")
    assert first.read_bytes() == first_bytes

    # "New" asks the same way.
    window.open_preset(first)
    window.set_note("pending")
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    window.new_preset()
    assert "new" in dialog_stub.text_of("ask_save_discard_cancel").splitlines()[-1]
    assert window.note() == "pending" and window.recipient() == "ada"
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    window.new_preset()
    assert window.title().startswith("Untitled")
    assert window.recipient() == "" and window.note() == ""

    # Save: the edit is written, then the other preset opens.
    window.open_preset(first)
    window.set_json_text('{"a": "kept"}')
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.SAVE)
    window.open_preset(second)
    assert read_json(first)["profile"] == {"a": "kept"}
    assert window.recipient() == "bob"
    assert not window.title().startswith("*")


@pytest.mark.parametrize("choice", list(dialogs.Choice))
def test_closing_with_unsaved_changes_asks(
    window: WindowDriver, dialog_stub: DialogStub, choice: dialogs.Choice
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    path = window.save_preset("Open one")
    window.set_json_text('{"a": 2}')
    dialog_stub.answer("ask_save_discard_cancel", choice)

    closed = window.close()

    assert dialog_stub.kinds()[-1] == "ask_save_discard_cancel"
    assert "Open one" in dialog_stub.text_of("ask_save_discard_cancel")
    if choice is dialogs.Choice.CANCEL:
        assert not closed and window.is_visible()
        assert read_json(path)["profile"] == {"a": 1}
        assert window.title().startswith("*Open one")
        assert window.profile() == {"a": 2}
        # The window still works after a cancelled close.
        window.set_json_text('{"a": 3}')
        window.save()
        assert read_json(path)["profile"] == {"a": 3}
        return
    assert closed and not window.is_visible()
    assert read_json(path)["profile"] == ({"a": 2} if choice is dialogs.Choice.SAVE else {"a": 1})


def test_closing_an_untitled_window_can_save_it_under_a_new_name(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.SAVE)
    # No name given: the save is cancelled, and so is the close.
    dialog_stub.answer("ask_text", None)
    assert not window.close() and window.is_visible()
    assert window.preset_files() == []
    dialog_stub.answer("ask_text", "Kept on close")
    assert window.close()
    assert [p.name for p in window.preset_files()] == ["Kept on close.json"]
    assert dialog_stub.kinds() == ["ask_save_discard_cancel", "ask_text"] * 2


def test_closing_without_changes_asks_nothing(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="ada", profile='{"a": 1}')
    window.save_preset("Clean")
    assert window.close()
    assert dialog_stub.kinds() == ["ask_text"]


def test_a_window_closed_before_the_event_loop_ran_starts_no_work_afterwards(
    window: WindowDriver,
) -> None:
    # Start-up work is queued for the first turn of the event loop; a close comes first here.
    assert window.close()
    QApplication.processEvents()
    QApplication.processEvents()
    assert window.jobs_running() == 0


# -- files that are not what they should be ----------------------------------------------------


def test_a_corrupt_file_is_listed_as_broken_while_the_others_load(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data" / "presets"
    folder.mkdir(parents=True)
    good = {"schema_version": 1, "name": "Good one", "recipient_id": "ada", "profile": {"a": 1}}
    (folder / "good.json").write_text(json.dumps(good), encoding="utf-8")
    (folder / "torn.json").write_text('{"schema_version": 1, "name": "To', encoding="utf-8")
    (folder / "future.json").write_text(
        json.dumps({**good, "schema_version": 99, "name": "Future"}), encoding="utf-8"
    )
    originals = {p.name: p.read_bytes() for p in folder.iterdir()}

    window = make_window(sandbox.url, sandbox.key)
    panel = window.presets()
    by_name = {e.path.name: e for e in panel.entries()}
    assert set(by_name) == {"good.json", "torn.json", "future.json"}
    assert not by_name["good.json"].is_broken
    assert by_name["torn.json"].is_broken and "Invalid JSON" in (by_name["torn.json"].error or "")
    assert by_name["future.json"].is_broken and "newer" in (by_name["future.json"].error or "")
    assert "3 presets, 2 cannot be opened" in panel.status_label.text()
    assert window.find(QListView, "presetsList") is panel.view
    torn_row = panel.proxy.mapFromSource(
        panel.model.index(panel.model.row_of(folder / "torn.json"), 0)
    )
    assert torn_row.data(Qt.ItemDataRole.DisplayRole) == "torn.json"
    assert "Invalid JSON" in torn_row.data(Qt.ItemDataRole.ToolTipRole)

    # Opening the broken one explains why and changes nothing.
    window.open_preset(folder / "torn.json")
    assert dialog_stub.kinds() == ["inform"]
    assert "Invalid JSON" in dialog_stub.text_of("inform")
    assert window.recipient() == "" and window.open_preset_path() is None

    window.open_preset(folder / "good.json")
    assert window.recipient() == "ada"
    assert window.profile() == {"a": 1}
    assert "Good one" in window.title()

    window.close()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == originals


def test_two_windows_saving_the_same_preset(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    first.fill(recipient="ada", profile='{"v": 1}')
    path = first.save_preset("Shared")
    second = make_window(sandbox.url, sandbox.key)
    second.open_preset(path)
    assert second.profile() == {"v": 1}

    first.set_json_text('{"v": "first"}')
    first.save()
    assert read_json(path)["profile"] == {"v": "first"}
    on_disk = path.read_bytes()

    second.set_json_text('{"v": "second"}')
    dialog_stub.answer("confirm", False)
    second.save()
    assert dialog_stub.kinds()[-1] == "confirm"
    assert "changed on disk" in dialog_stub.text_of("confirm")
    assert path.read_bytes() == on_disk
    assert second.title().startswith("*Shared")
    assert "Saved" not in second.status()

    dialog_stub.answer("confirm", True)
    second.save()
    assert read_json(path)["profile"] == {"v": "second"}
    assert not second.title().startswith("*")
    assert [p.name for p in first.preset_files()] == ["Shared.json"]
    # Now the first window is the stale one.
    first.set_json_text('{"v": "first again"}')
    dialog_stub.answer("confirm", False)
    first.save()
    assert dialog_stub.kinds()[-1] == "confirm"
    assert read_json(path)["profile"] == {"v": "second"}


@pytest.mark.parametrize("existing", [True, False], ids=["overwrite", "new file"])
def test_a_failure_between_write_and_replace_keeps_the_old_file(
    window: WindowDriver,
    dialog_stub: DialogStub,
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
) -> None:
    window.fill(recipient="ada", profile='{"v": 1}')
    path = window.save_preset("Precious")
    old = path.read_bytes()
    if not existing:
        window.new_preset()
        window.fill(recipient="bob", profile='{"v": 2}')
    else:
        window.set_json_text('{"v": 2}')
    seen: list[tuple[Path, Path]] = []

    def disk_full(tmp: Path, dest: Path) -> None:
        seen.append((tmp, dest))
        assert tmp.exists()  # the new content is fully written, just not moved into place
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(atomic, "_before_replace", disk_full)
    dialog_stub.answer("ask_text", "Brand new")
    window.press_save_shortcut()

    assert seen, "the hook was not reached"
    assert dialog_stub.kinds()[-1] == "inform"
    message = dialog_stub.text_of("inform")
    assert "could not be written" in message and "No space left" in message
    assert "Traceback" not in message
    assert path.read_bytes() == old
    assert read_json(path)["profile"] == {"v": 1}
    assert window.preset_files() == [path]
    assert not [p for p in window.presets_dir().iterdir() if p.name.endswith(".tmp")]
    assert window.title().startswith("*")

    monkeypatch.setattr(atomic, "_before_replace", atomic._no_hook)
    window.press_save_shortcut()
    target = path if existing else window.presets_dir() / "Brand new.json"
    assert read_json(target)["profile"] == {"v": 2}
    assert not window.title().startswith("*")
