"""PresetsPanel: listing, filtering, broken files, current marker, file operations."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.storage.presets import Preset, PresetEntry, PresetStore
from profile_editor.ui.presets.panel import ENTRY_ROLE, MODIFIED_PREFIX, PresetsPanel

KEY = "pk_prod_PANEL-SECRET-0123456789"


@pytest.fixture
def store(tmp_path: Path) -> PresetStore:
    s = PresetStore(tmp_path / "presets")
    s.save(Preset(name="Ada welcome", recipient_id="user-ada", profile={"email": "ada@x.io"}))
    s.save(Preset(name="Bob slack", recipient_id="bob-7", method="PUT", profile={"slack": {}}))
    s.save(Preset(name="Carol", recipient_id="carol", note="EU customer"))
    return s


@pytest.fixture
def panel(qtbot: QtBot, store: PresetStore, dialog_stub: DialogStub) -> PresetsPanel:
    p = PresetsPanel(store, secrets=lambda: [KEY])
    qtbot.addWidget(p)
    p.resize(280, 400)
    p.show()
    return p


def shown_names(panel: PresetsPanel) -> list[str]:
    return [
        panel.proxy.index(r, 0).data(Qt.ItemDataRole.DisplayRole)
        for r in range(panel.proxy.rowCount())
    ]


def select(panel: PresetsPanel, name: str) -> PresetEntry:
    entry = next(e for e in panel.entries() if e.name == name)
    assert panel.select_path(entry.path)
    assert panel.selected_entry() == entry
    return entry


def files(store: PresetStore) -> list[str]:
    return sorted(p.name for p in store.directory.iterdir())


def test_lists_one_row_per_file_and_filters(panel: PresetsPanel) -> None:
    assert panel.view.objectName() == "presetsList"
    assert shown_names(panel) == ["Ada welcome", "Bob slack", "Carol"]
    assert "3 presets" in panel.status_label.text()

    panel.filter_edit.setText("BOB")
    assert shown_names(panel) == ["Bob slack"]
    panel.filter_edit.setText("user-ada")  # the recipient ID matches too
    assert shown_names(panel) == ["Ada welcome"]
    panel.filter_edit.setText("carol.json")  # and the file name
    assert shown_names(panel) == ["Carol"]
    panel.filter_edit.setText("nothing like it")
    assert shown_names(panel) == []
    assert "No preset matches" in panel.status_label.text()
    panel.filter_edit.clear()
    assert len(shown_names(panel)) == 3


def test_refresh_lists_the_folder_once(
    panel: PresetsPanel, store: PresetStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_list = store.list

    def counting_list() -> list[PresetEntry]:
        calls.append(1)
        return real_list()

    monkeypatch.setattr(store, "list", counting_list)
    store.save(Preset(name="Dave"))
    panel.refresh()
    assert len(calls) == 1
    assert "Dave" in shown_names(panel)


def test_broken_file_is_marked_with_its_reason(
    qtbot: QtBot, panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    broken_path = store.directory / "broken.json"
    broken_path.write_text('{"name": "half', encoding="utf-8")
    panel.refresh()
    reason = store.read(broken_path).error  # type: ignore[union-attr]
    assert reason

    names = shown_names(panel)
    assert len(names) == 4
    assert {"Ada welcome", "Bob slack", "Carol", "broken.json"} == set(names)
    row = names.index("broken.json")
    index = panel.proxy.index(row, 0)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert html.escape(reason, quote=False) in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "1 cannot be opened" in panel.status_label.text()
    # The others still carry their loaded preset.
    loaded = [e for e in panel.entries() if not e.is_broken]
    assert len(loaded) == 3

    # Not openable: activation explains why instead of emitting openRequested.
    assert panel.select_path(broken_path)
    assert not panel.rename_action.isEnabled()
    assert panel.delete_action.isEnabled()
    with qtbot.assertNotEmitted(panel.openRequested):
        panel.view.activated.emit(index)
    assert reason in dialog_stub.text_of("inform")


def test_markup_in_a_name_is_not_rendered(panel: PresetsPanel, store: PresetStore) -> None:
    store.save(Preset(name="<b>bold</b> & co"))
    panel.refresh()
    row = shown_names(panel).index("<b>bold</b> & co")
    tooltip = panel.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in tooltip


def test_activation_requests_open(qtbot: QtBot, panel: PresetsPanel) -> None:
    entry = select(panel, "Bob slack")
    panel.view.setFocus()
    with qtbot.waitSignal(panel.openRequested) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == [entry]

    index = panel.view.currentIndex()
    rect = panel.view.visualRect(index)
    # A double-click is only honoured on the item that received the press before it.
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(panel.openRequested) as blocker:
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [entry]


def test_current_and_modified_markers(panel: PresetsPanel) -> None:
    entry = next(e for e in panel.entries() if e.name == "Carol")
    panel.set_current(entry.path, modified=True)
    row = shown_names(panel).index(MODIFIED_PREFIX + "Carol")
    font = panel.proxy.index(row, 0).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold() and font.italic()

    panel.set_current(entry.path, modified=False)
    assert "Carol" in shown_names(panel)
    font = panel.proxy.index(row, 0).data(Qt.ItemDataRole.FontRole)
    assert font.bold() and not font.italic()

    panel.set_current(None, modified=True)
    assert panel.proxy.index(row, 0).data(Qt.ItemDataRole.FontRole) is None
    assert not any(n.startswith(MODIFIED_PREFIX) for n in shown_names(panel))


def test_new_and_save_as_are_signals(qtbot: QtBot, panel: PresetsPanel) -> None:
    with qtbot.waitSignal(panel.newRequested):
        panel.new_action.trigger()
    with qtbot.waitSignal(panel.saveAsRequested):
        panel.save_as_action.trigger()


def test_save_new_writes_and_selects(panel: PresetsPanel, store: PresetStore) -> None:
    entry = panel.save_new(Preset(name="Fresh", recipient_id="r1"))
    assert entry is not None and entry.path.exists()
    assert panel.selected_entry() == entry


def test_rename_round_trip(
    qtbot: QtBot, panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    entry = select(panel, "Bob slack")
    panel.set_current(entry.path, modified=True)
    with qtbot.waitSignal(panel.presetRenamed) as blocker:
        renamed = panel.rename_selected("Robert on Slack")
    assert renamed is not None
    assert blocker.args == [entry.path, renamed]
    assert not entry.path.exists()
    data = json.loads(renamed.path.read_text(encoding="utf-8"))
    assert data["name"] == "Robert on Slack" and data["recipient_id"] == "bob-7"
    assert renamed.path.name == "Robert on Slack.json"
    assert MODIFIED_PREFIX + "Robert on Slack" in shown_names(panel)  # current follows it
    assert panel.selected_entry() == renamed

    # Through the dialogs seam: cancelling changes nothing.
    dialog_stub.answer("ask_text", None)
    before = files(store)
    assert panel.rename_selected() is None
    assert files(store) == before
    dialog_stub.answer("ask_text", "Bobby")
    assert panel.rename_selected() is not None
    assert "Bobby.json" in files(store)


def test_rename_refuses_when_changed_on_disk(
    panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    entry = select(panel, "Carol")
    entry.path.write_text(
        Preset(name="Carol", note="edited elsewhere").to_file_text(), encoding="utf-8"
    )
    assert panel.rename_selected("Caroline") is None
    assert "changed on disk" in dialog_stub.text_of("inform")
    assert entry.path.exists()
    assert "Caroline.json" not in files(store)


def test_duplicate_round_trip(panel: PresetsPanel, store: PresetStore) -> None:
    entry = select(panel, "Ada welcome")
    copy = panel.duplicate_selected()
    assert copy is not None and copy.path != entry.path
    assert entry.path.exists() and copy.path.exists()
    original = json.loads(entry.path.read_text(encoding="utf-8"))
    copied = json.loads(copy.path.read_text(encoding="utf-8"))
    assert copied["name"] == "Ada welcome copy"
    assert {**copied, "name": original["name"]} == original
    assert panel.selected_entry() == copy
    named = panel.duplicate_selected("Ada again")
    assert named is not None and named.name == "Ada again"
    assert len(panel.entries()) == 5


def test_delete_asks_and_honours_cancel(
    qtbot: QtBot, panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    entry = select(panel, "Bob slack")
    dialog_stub.answer("confirm", False)
    assert not panel.delete_selected()
    assert entry.path.exists()
    assert dialog_stub.kinds() == ["confirm"]
    assert "Bob slack" in dialog_stub.questions[0].text

    dialog_stub.answer("confirm", True)
    with qtbot.waitSignal(panel.presetDeleted) as blocker:
        assert panel.delete_selected()
    assert blocker.args == [entry.path]
    assert not entry.path.exists()
    assert shown_names(panel) == ["Ada welcome", "Carol"]
    assert panel.selected_entry() is not None  # the neighbour, for the next keypress


def test_delete_broken_file(
    panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    broken = store.directory / "junk.json"
    broken.write_bytes(b"\xff\xfe not utf-8")
    panel.refresh()
    assert panel.select_path(broken)
    assert panel.delete_selected()
    assert not broken.exists()


def test_delete_key_uses_the_action(
    qtbot: QtBot, panel: PresetsPanel, dialog_stub: DialogStub
) -> None:
    entry = select(panel, "Carol")
    dialog_stub.answer("confirm", False)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert dialog_stub.kinds() == ["confirm"]
    assert entry.path.exists()


def test_import_and_export(
    tmp_path: Path,
    panel: PresetsPanel,
    store: PresetStore,
    dialog_stub: DialogStub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    src = outside / "shared.json"
    src.write_text(Preset(name="Shared", recipient_id="s-1").to_file_text(), encoding="utf-8")

    dialog_stub.answer("ask_open_path", None)
    assert panel.import_preset() is None
    dialog_stub.answer("ask_open_path", src)
    imported = panel.import_preset()
    assert imported is not None and imported.path.parent == store.directory
    assert panel.selected_entry() == imported

    bad = outside / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    before = files(store)
    assert panel.import_preset(bad) is None
    assert files(store) == before
    assert "bad.json" in dialog_stub.text_of("inform")

    dest = outside / "exported.json"
    dialog_stub.answer("ask_save_path", dest)
    select(panel, "Bob slack")
    assert panel.export_selected()
    exported = Preset.from_file_text(dest.read_text(encoding="utf-8"))
    assert exported.name == "Bob slack" and exported.method == "PUT"


def test_filtered_out_new_file_is_shown(panel: PresetsPanel) -> None:
    panel.filter_edit.setText("carol")
    entry = panel.save_new(Preset(name="Zed"))
    assert entry is not None
    assert panel.filter_edit.text() == ""
    assert panel.selected_entry() == entry


def test_secret_leak_is_reported_not_written(
    panel: PresetsPanel, store: PresetStore, dialog_stub: DialogStub
) -> None:
    store.save(Preset(name="Leaky", profile={"note": KEY}))
    panel.refresh()
    select(panel, "Leaky")
    before = files(store)
    assert panel.duplicate_selected() is None
    assert files(store) == before
    assert "API key" in dialog_stub.text_of("inform")
    assert panel.save_new(Preset(name="Also leaky", recipient_id=KEY)) is None


def test_model_data_roles(qtmodeltester: Any, panel: PresetsPanel, store: PresetStore) -> None:
    (store.directory / "broken.json").write_text("{", encoding="utf-8")
    panel.refresh()
    qtmodeltester.check(panel.model)
    index = panel.model.index(0, 0)
    assert isinstance(index.data(ENTRY_ROLE), PresetEntry)
    assert panel.model.data(QModelIndex()) is None
