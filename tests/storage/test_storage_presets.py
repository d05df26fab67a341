"""Preset files: round trips, safe names, broken files, conflicts, secret guarding."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from profile_editor.storage.errors import (
    BrokenFileError,
    PresetConflictError,
    SecretLeakError,
    StorageError,
)
from profile_editor.storage.presets import (
    Preset,
    PresetEntry,
    PresetStore,
    safe_file_stem,
)

KEY = "pk_prod_S3CR3T-KEY-0123456789"


def _snapshot(directory: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for p in directory.iterdir():
        out[p.name] = None if p.is_dir() else p.read_bytes()
    return out


def _sample(name: str = "Welcome mail") -> Preset:
    return Preset(
        name=name,
        recipient_id="user-42",
        method="PUT",
        environment="Production",
        note="für die Tests",
        profile={"zeta": 1, "email": "ä@example.com", "alpha": {"b": [1, 2], "a": None}},
    )


# -- the model -------------------------------------------------------------------------------


def test_file_text_is_pretty_stable_and_ordered() -> None:
    text = _sample().to_file_text()
    assert text.endswith("}\n")
    assert '\n  "schema_version": 1,\n  "name": "Welcome mail",' in text
    assert "ä@example.com" in text and "für" in text  # not \u-escaped
    assert list(json.loads(text)) == [
        "schema_version",
        "name",
        "recipient_id",
        "method",
        "environment",
        "note",
        "profile",
    ]
    assert list(json.loads(text)["profile"]) == ["zeta", "email", "alpha"]
    assert _sample().to_file_text() == text
    assert Preset.from_file_text(text) == _sample()


def test_defaults() -> None:
    preset = Preset(name="x")
    assert (preset.schema_version, preset.method, preset.environment) == (1, "POST", None)
    assert preset.profile == {} and preset.recipient_id == "" and preset.note == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"name": "x",\n  "profile": {]}', "line 2, column"),
        ("[1, 2]", "JSON object"),
        ('{"schema_version": 2, "name": "x"}', "newer"),
        ('{"schema_version": 0, "name": "x"}', "schema_version"),
        ('{"schema_version": "1", "name": "x"}', "schema_version"),
        ('{"name": "   "}', "blank"),
        ('{"name": "x", "method": "GET"}', "method"),
        ('{"name": "x", "extra": 1}', "extra"),
        ('{"name": "x", "profile": []}', "profile"),
        ('{"name": "x", "profile": {"n": NaN}}', "NaN"),
        ("{}", "name"),
    ],
)
def test_from_file_text_is_strict(text: str, reason: str) -> None:
    with pytest.raises(BrokenFileError) as info:
        Preset.from_file_text(text)
    assert reason in info.value.reason


def test_profile_must_be_plain_json() -> None:
    with pytest.raises(ValueError, match="plain JSON"):
        Preset(name="x", profile={"n": float("nan")})
    with pytest.raises(ValueError, match="plain JSON"):
        Preset(name="x", profile={"when": object()})


# -- store round trips ---------------------------------------------------------------------


def test_save_list_round_trip(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    assert store.list() == []
    entry = store.save(_sample())
    assert entry.path == tmp_path / "presets" / "Welcome mail.json"
    assert entry.path.read_text(encoding="utf-8") == _sample().to_file_text()
    [listed] = store.list()
    assert listed.preset == _sample()
    assert listed.fingerprint == entry.fingerprint
    assert not listed.is_broken and listed.error is None and listed.name == "Welcome mail"


def test_list_sorted_by_name_ignoring_case(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    for name in ["beta", "Alpha", "alpha", "Ähm", "Gamma"]:
        store.save(Preset(name=name))
    names = [e.name for e in store.list()]
    assert [n.casefold() for n in names] == sorted(n.casefold() for n in names)
    assert sorted(names) == sorted(["beta", "Alpha", "alpha", "Ähm", "Gamma"])


def test_entry_is_not_affected_by_later_edits(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    preset = _sample()
    entry = store.save(preset)
    preset.profile["zeta"] = 999
    assert entry.preset is not None and entry.preset.profile["zeta"] == 1


def test_save_over_existing_path(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample())
    changed = _sample().model_copy(update={"note": "v2"})
    again = store.save(changed, path=entry.path, expected=entry.fingerprint)
    assert again.path == entry.path
    assert again.fingerprint != entry.fingerprint
    [listed] = store.list()
    assert listed.preset is not None and listed.preset.note == "v2"


def test_save_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    with pytest.raises(StorageError):
        store.save(_sample(), path=tmp_path / "elsewhere.json")
    with pytest.raises(StorageError):
        store.save(_sample(), path=tmp_path / "presets" / "notes.txt")
    assert not (tmp_path / "elsewhere.json").exists()


# -- file names ------------------------------------------------------------------------------

ODD_NAMES = [
    "a/b",
    "a\\b",
    "..",
    ".",
    "../../escape",
    "CON",
    "con.txt",
    "LPT1",
    "nul ",
    "🎉 launch 👩‍👩‍👧",
    "x" * 300,
    "ü" * 300,
    '<>:"|?*',
    "line\nbreak\ttab",
    "\x00\x1f",
    "\u202eevil",
    " .hidden. ",
    "e\u0301",  # NFD é
    "é",
    "same",
    "same",
    "Same",
    "same-2",
]


def test_odd_names_get_safe_unique_files_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "presets"
    store = PresetStore(folder)
    entries = [store.save(Preset(name=name)) for name in ODD_NAMES]
    paths = [e.path for e in entries]
    assert len({p.name.casefold() for p in paths}) == len(ODD_NAMES)
    for path in paths:
        assert path.parent == folder
        assert path.resolve().parent == folder.resolve()
        assert path.suffix == ".json"
        assert len(path.name.encode("utf-8")) <= 255
        assert not path.name.startswith(".")
        assert path.stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "LPT1"}
    assert sorted(os.listdir(folder)) == sorted(p.name for p in paths)
    assert list(tmp_path.iterdir()) == [folder]
    listed = store.list()
    assert sorted(e.name for e in listed) == sorted(Preset(name=n).name for n in ODD_NAMES)
    assert not any(e.is_broken for e in listed)


def test_stem_rules() -> None:
    assert safe_file_stem("a/b") == "a_b"
    assert safe_file_stem("..") == "preset"
    assert safe_file_stem("CON") == "_CON"
    assert safe_file_stem("e\u0301") == "\u00e9"
    assert len(safe_file_stem("🎉" * 100).encode()) <= 120
    assert safe_file_stem("🎉" * 100) == "🎉" * 30  # cut between characters, never inside one


def test_same_name_from_many_threads(tmp_path: Path) -> None:
    import threading

    store = PresetStore(tmp_path)
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        barrier.wait()
        store.save(Preset(name="race", note=str(n)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notes = sorted(e.preset.note for e in store.list() if e.preset is not None)
    assert notes == ["0", "1", "2", "3"]


def test_same_name_twice_never_overwrites(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    first = store.save(Preset(name="dup", note="1"))
    second = store.save(Preset(name="dup", note="2"))
    assert (first.path.name, second.path.name) == ("dup.json", "dup-2.json")
    notes = sorted(e.preset.note for e in store.list() if e.preset is not None)
    assert notes == ["1", "2"]


# -- broken files ----------------------------------------------------------------------------


def test_broken_files_are_listed_with_reason_and_left_alone(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(_sample("good one"))
    (tmp_path / "bad json.json").write_text('{\n  "name": "x",\n  oops\n}\n')
    (tmp_path / "future.json").write_text('{"schema_version": 7, "name": "later"}')
    (tmp_path / "not a preset.json").write_text('{"hello": "world"}')
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "readme.txt").write_text("not listed")
    before = _snapshot(tmp_path)

    entries = {e.path.name: e for e in store.list()}
    assert set(entries) == {
        "good one.json",
        "bad json.json",
        "future.json",
        "not a preset.json",
        "binary.json",
        "folder.json",
    }
    assert not entries["good one.json"].is_broken
    bad = entries["bad json.json"]
    assert bad.is_broken and bad.preset is None and bad.name == "bad json"
    assert bad.error is not None and "line 3, column 3" in bad.error
    assert "newer" in (entries["future.json"].error or "")
    assert "name" in (entries["not a preset.json"].error or "")
    assert "UTF-8" in (entries["binary.json"].error or "")
    assert "folder" in (entries["folder.json"].error or "")

    store.save(_sample("another"))
    # A new preset whose name matches a broken file gets its own file.
    assert store.save(Preset(name="bad json")).path.name == "bad json-2.json"
    assert {k: v for k, v in _snapshot(tmp_path).items() if k in before} == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root (or Windows) ignores file permission bits",
)
def test_unreadable_file_is_listed_as_broken(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    locked = tmp_path / "locked.json"
    locked.write_text(_sample().to_file_text())
    locked.chmod(0)
    try:
        [entry] = store.list()
        assert entry.is_broken and "Permission denied" in (entry.error or "")
    finally:
        locked.chmod(0o600)


def test_permission_error_reason_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores chmod 000, so the OS error is raised by hand to cover the message.
    from profile_editor.storage import presets

    store = PresetStore(tmp_path)
    locked = store.save(_sample("locked")).path
    store.save(_sample("fine"))
    real_open = open

    def guarded_open(path: Path, mode: str = "r") -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, mode)

    monkeypatch.setattr(presets, "open", guarded_open, raising=False)
    entries = {e.path.name: e for e in store.list()}
    assert "Permission denied" in (entries["locked.json"].error or "")
    assert not entries["fine.json"].is_broken


def test_broken_entry_cannot_be_renamed_or_exported(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    (tmp_path / "bad.json").write_text("{")
    [entry] = store.list()
    with pytest.raises(BrokenFileError):
        store.rename(entry, "new")
    with pytest.raises(BrokenFileError):
        store.export(entry, tmp_path / "out.json")
    store.delete(entry)
    assert store.list() == []


# -- conflicts -------------------------------------------------------------------------------


def test_second_window_saving_same_preset_is_told(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(_sample())
    [loaded] = store.list()
    window_a = loaded.preset.model_copy(update={"note": "from A"}) if loaded.preset else None
    window_b = loaded.preset.model_copy(update={"note": "from B"}) if loaded.preset else None
    assert window_a is not None and window_b is not None

    saved_a = store.save(window_a, path=loaded.path, expected=loaded.fingerprint)
    with pytest.raises(PresetConflictError):
        store.save(window_b, path=loaded.path, expected=loaded.fingerprint)
    [now] = store.list()
    assert now.preset is not None and now.preset.note == "from A"

    # Window B reloads (or chooses "save anyway") and succeeds.
    store.save(window_b, path=loaded.path, expected=saved_a.fingerprint)
    [now] = store.list()
    assert now.preset is not None and now.preset.note == "from B"


def test_external_edit_is_a_conflict_but_identical_rewrite_is_not(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample())
    text = entry.path.read_text(encoding="utf-8")
    entry.path.write_text(text, encoding="utf-8")  # same bytes, new mtime
    entry = store.save(_sample(), path=entry.path, expected=entry.fingerprint)
    entry.path.write_text(text.replace("user-42", "user-43"), encoding="utf-8")
    with pytest.raises(PresetConflictError):
        store.save(_sample(), path=entry.path, expected=entry.fingerprint)
    assert "user-43" in entry.path.read_text(encoding="utf-8")


def test_deleted_on_disk_is_a_conflict(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample())
    entry.path.unlink()
    with pytest.raises(PresetConflictError, match="deleted"):
        store.save(_sample(), path=entry.path, expected=entry.fingerprint)
    assert not entry.path.exists()
    store.save(_sample(), path=entry.path)  # "save anyway"
    assert entry.path.exists()


def test_rename_refuses_when_file_changed(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample())
    entry.path.write_text(_sample("edited elsewhere").to_file_text(), encoding="utf-8")
    with pytest.raises(PresetConflictError):
        store.rename(entry, "new name")
    assert [e.name for e in store.list()] == ["edited elsewhere"]


# -- secrets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "preset",
    [
        Preset(name="leaky", profile={"webhook": {"headers": {"Authorization": f"Bearer {KEY}"}}}),
        Preset(name="leaky", note=f"key is {KEY}"),
        Preset(name=f"leaky {KEY}"),
        Preset(name="leaky", profile={KEY: 1}),
    ],
)
def test_secret_in_preset_is_refused_and_nothing_written(tmp_path: Path, preset: Preset) -> None:
    store = PresetStore(tmp_path)
    with pytest.raises(SecretLeakError):
        store.save(preset, secrets=["", KEY])
    assert os.listdir(tmp_path) == []


def test_secret_leak_keeps_existing_file(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample(), secrets=[KEY, ""])
    before = _snapshot(tmp_path)
    leaky = _sample().model_copy(update={"note": KEY})
    with pytest.raises(SecretLeakError):
        store.save(leaky, path=entry.path, expected=entry.fingerprint, secrets=[KEY])
    with pytest.raises(SecretLeakError):
        store.rename(entry, f"renamed {KEY}", secrets=[KEY])
    with pytest.raises(SecretLeakError):
        store.duplicate(entry, f"copy {KEY}", secrets=[KEY])
    with pytest.raises(SecretLeakError):
        store.export(entry, tmp_path / "out.json", secrets=["Welcome"])
    assert _snapshot(tmp_path) == before


def test_escaped_secret_is_found() -> None:
    tricky = 'k"ey\\ü'
    store_text = Preset(name="x", note=f"a {tricky} b").to_file_text()
    assert tricky not in store_text  # JSON escapes it...
    from profile_editor.storage.secretscan import contains_secret

    assert contains_secret(store_text, [tricky])  # ...and it is still caught


# -- rename, duplicate, delete, import, export ----------------------------------------------


def test_rename_moves_the_file(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample("old name"))
    renamed = store.rename(entry, "New name")
    assert renamed.path == tmp_path / "New name.json"
    assert os.listdir(tmp_path) == ["New name.json"]
    assert renamed.preset is not None and renamed.preset.name == "New name"
    assert renamed.preset.profile == _sample().profile
    [listed] = store.list()
    assert listed.name == "New name" and listed.fingerprint == renamed.fingerprint


def test_rename_never_clobbers_another_preset(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    other = store.save(Preset(name="target", note="keep me"))
    entry = store.save(Preset(name="source"))
    renamed = store.rename(entry, "target")
    assert renamed.path.name == "target-2.json"
    assert (
        other.path.read_text(encoding="utf-8")
        == Preset(name="target", note="keep me").to_file_text()
    )
    assert sorted(os.listdir(tmp_path)) == ["target-2.json", "target.json"]


def test_rename_changing_only_case_or_to_same_stem(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(Preset(name="report"))
    entry = store.rename(entry, "Report")
    assert os.listdir(tmp_path) == ["Report.json"]
    entry = store.rename(entry, "Report/")  # same file name after sanitising: "Report_"
    assert entry.name == "Report/" and os.listdir(tmp_path) == ["Report_.json"]


def test_rename_keeps_numbered_file_when_name_unchanged(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    store.save(Preset(name="dup"))
    second = store.save(Preset(name="dup", note="2"))
    renamed = store.rename(second, "dup")
    assert renamed.path == second.path
    assert sorted(os.listdir(tmp_path)) == ["dup-2.json", "dup.json"]
    freed = store.rename(renamed, "fresh")
    assert sorted(os.listdir(tmp_path)) == ["dup.json", "fresh.json"]
    assert freed.preset is not None and freed.preset.note == "2"


def test_duplicate_and_delete(tmp_path: Path) -> None:
    store = PresetStore(tmp_path)
    entry = store.save(_sample())
    copy = store.duplicate(entry, "Welcome mail")
    assert copy.path != entry.path and copy.path.name == "Welcome mail-2.json"
    assert copy.preset is not None and copy.preset.profile == _sample().profile
    store.delete(entry)
    assert [e.path for e in store.list()] == [copy.path]
    store.delete(entry)  # already gone: fine
    assert [e.path for e in store.list()] == [copy.path]


def test_import_copies_in_under_safe_name(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    store.save(_sample())
    src = tmp_path / "downloaded.json"
    src.write_text(_sample().to_file_text(), encoding="utf-8")
    imported = store.import_file(src)
    assert imported.path.parent == tmp_path / "presets"
    assert imported.path.name == "Welcome mail-2.json"
    assert imported.preset == _sample()
    assert src.exists()


def test_import_rejects_invalid_file_and_adds_nothing(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    src = tmp_path / "bad.json"
    src.write_text('{"name": ')
    with pytest.raises(BrokenFileError, match="line 1"):
        store.import_file(src)
    with pytest.raises(BrokenFileError):
        store.import_file(tmp_path / "missing.json")
    with pytest.raises(SecretLeakError):
        src.write_text(Preset(name="x", note=KEY).to_file_text())
        store.import_file(src, secrets=[KEY])
    assert store.list() == []


def test_export_writes_anywhere(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "presets")
    entry = store.save(_sample())
    dest = tmp_path / "out" / "shared.json"
    dest.parent.mkdir()
    dest.write_text("old export")
    store.export(entry, dest)
    assert Preset.from_file_text(dest.read_text(encoding="utf-8")) == _sample()
    assert os.listdir(dest.parent) == ["shared.json"]


def test_broken_entry_is_plain_data() -> None:
    entry = PresetEntry(Path("x/bad.json"), None, "oops")
    assert entry.is_broken and entry.name == "bad" and entry.fingerprint is None
    with pytest.raises(AttributeError):
        entry.error = "other"  # type: ignore[misc]
