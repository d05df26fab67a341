"""Presets: named profile payloads kept as one pretty JSON file each in a folder."""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from profile_editor.storage.atomic import atomic_write_bytes
from profile_editor.storage.errors import (
    BrokenFileError,
    PresetConflictError,
    SecretLeakError,
    StorageError,
)
from profile_editor.storage.fields import Name
from profile_editor.storage.secretscan import contains_secret

SUPPORTED_SCHEMA_VERSION = 1
PRESET_SUFFIX = ".json"
# Far above Courier's 6 MB body limit; stops a stray huge file from freezing the list.
MAX_PRESET_BYTES = 16 * 1024 * 1024
# Leaves room for "-NNN.json" and the temporary-file decoration within a 255-byte file name.
MAX_STEM_BYTES = 120

Method = Literal["POST", "PUT", "PATCH", "DELETE"]
# What a user may choose for a topic (REQUIRED is the workspace's).
PreferenceChoice = Literal["OPTED_IN", "OPTED_OUT"]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def describe_validation_error(error: ValidationError, limit: int = 3) -> str:
    """A short, human-readable summary of a pydantic error."""
    parts = []
    for item in error.errors()[:limit]:
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


class Preset(BaseModel):
    """One saved request: which recipient, which method, which profile body."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    schema_version: int = SUPPORTED_SCHEMA_VERSION
    name: Name
    recipient_id: str = ""
    method: Method = "POST"
    environment: str | None = None
    note: str = ""
    profile: dict[str, Any] = Field(default_factory=dict)
    # The operations of a Patch preset; absent from the file otherwise.
    patch: list[dict[str, Any]] | None = None
    # Subscription preference changes to stage on the recipient (topic ID → OPTED_IN or
    # OPTED_OUT); absent from the file when there are none, and from files written before.
    preferences: dict[str, PreferenceChoice] | None = None

    @field_validator("schema_version")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value > SUPPORTED_SCHEMA_VERSION:
            raise ValueError(_newer_schema_message(value))
        if value < 1:
            raise ValueError("schema_version must be 1 or more")
        return value

    @field_validator("profile", "patch")
    @classmethod
    def _plain_json(cls, value: Any) -> Any:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the profile must be plain JSON ({exc})") from None
        return value

    def to_file_text(self) -> str:
        data = self.model_dump(mode="json")
        if data.get("patch") is None:
            data.pop("patch", None)
        if not data.get("preferences"):
            data.pop("preferences", None)
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (possible from "\ud800" in JSON) only survive as escapes.
            text = json.dumps(data, indent=2, ensure_ascii=True, allow_nan=False)
        return text + "\n"

    @classmethod
    def from_file_text(cls, text: str) -> Preset:
        """Parse a preset file; raises :class:`BrokenFileError` (without a path) saying why."""
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise BrokenFileError(
                None, f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        except ValueError as exc:
            raise BrokenFileError(None, f"Invalid JSON: {exc}") from None
        except RecursionError:
            raise BrokenFileError(None, "Invalid JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise BrokenFileError(None, "Not a preset: the file must hold a JSON object")
        version = data.get("schema_version", SUPPORTED_SCHEMA_VERSION)
        newer = isinstance(version, int) and version > SUPPORTED_SCHEMA_VERSION
        if newer and not isinstance(version, bool):
            raise BrokenFileError(None, _newer_schema_message(version))
        try:
            return cls.model_validate(data)
        except RecursionError:
            raise BrokenFileError(None, "Not a valid preset: nested too deeply") from None
        except ValidationError as exc:
            raise BrokenFileError(
                None, f"Not a valid preset: {describe_validation_error(exc)}"
            ) from None


def _newer_schema_message(version: int) -> str:
    return (
        f"schema_version {version} was written by a newer Profile Editor; "
        f"this version reads up to {SUPPORTED_SCHEMA_VERSION}"
    )


@dataclass(frozen=True)
class Fingerprint:
    """What a preset file looked like when it was read or written."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, mtime_ns: int) -> Fingerprint:
        return cls(mtime_ns, len(data), hashlib.sha256(data).hexdigest())

    def same_content(self, other: Fingerprint) -> bool:
        # Content decides: rewriting identical bytes (a new mtime) loses nobody's work.
        return self.size == other.size and self.sha256 == other.sha256


@dataclass(frozen=True)
class PresetEntry:
    """A preset file as listed: either a loaded preset or the reason it could not be loaded."""

    path: Path
    preset: Preset | None
    error: str | None = None
    fingerprint: Fingerprint | None = None

    @property
    def is_broken(self) -> bool:
        return self.preset is None

    @property
    def name(self) -> str:
        return self.preset.name if self.preset is not None else self.path.stem


_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    "CLOCK$",
    *(f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789¹²³"),
}
_BAD_CHARS = re.compile(r'[<>:"/\\|?*]')
_EDGE_JUNK = re.compile(r"^[\s.]+|[\s.\u200d]+$")
_BIDI_CONTROLS = {*"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"}


def safe_file_stem(name: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file name stem for ``name`` that is valid on Linux, macOS and Windows.

    NFC-normalised; path separators and characters Windows forbids become ``_``; control,
    bidi-override and surrogate characters are dropped; leading dots (hidden files), edge
    spaces and trailing dots are removed; reserved device names get a ``_`` prefix; the
    UTF-8 length is capped. Never empty.
    """
    text = unicodedata.normalize("NFC", name)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r\v\f":
            kept.append(" ")
        elif category not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS:
            kept.append(ch)
    stem = _BAD_CHARS.sub("_", "".join(kept))
    stem = _EDGE_JUNK.sub("", stem)
    if len(stem.encode("utf-8")) > max_bytes:
        encoded = stem.encode("utf-8")[:max_bytes]
        stem = encoded.decode("utf-8", errors="ignore")
        stem = _EDGE_JUNK.sub("", stem)
    if not stem:
        stem = "preset"
    if stem.split(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem


def _read_limited(path: Path) -> tuple[bytes, int]:
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        if st.st_size > MAX_PRESET_BYTES:
            raise BrokenFileError(path, f"The file is too large ({st.st_size} bytes)")
        data = handle.read(MAX_PRESET_BYTES + 1)
    if len(data) > MAX_PRESET_BYTES:
        raise BrokenFileError(path, "The file is too large")
    return data, st.st_mtime_ns


def _parse_bytes(path: Path, data: bytes) -> Preset:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BrokenFileError(path, f"Not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        return Preset.from_file_text(text)
    except BrokenFileError as exc:
        raise BrokenFileError(path, exc.reason) from None


@contextlib.contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    """Turn OS errors into :class:`StorageError`, except ``FileExistsError`` (name taken)."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as exc:
        raise StorageError(f"Cannot write {path.name}: {exc.strerror or exc}") from exc


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "It is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "Permission denied: the file cannot be read"
    return f"Cannot read the file: {exc.strerror or exc}"


class PresetStore:
    """The preset folder. Never modifies a file it could not load."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # Serialises check-then-write within this process (several windows, worker threads).
        self._lock = threading.RLock()

    def list(self) -> builtins.list[PresetEntry]:
        """Every ``*.json`` in the folder, broken ones included, sorted by name (any case)."""
        entries = []
        for path in self.directory.glob(f"*{PRESET_SUFFIX}"):
            entry = self.read(path)
            if entry is not None:
                entries.append(entry)
        entries.sort(key=lambda e: (e.name.casefold(), e.path.name))
        return entries

    def read(self, path: Path) -> PresetEntry | None:
        """Load one preset file; ``None`` if it no longer exists."""
        path = Path(path)
        try:
            data, mtime_ns = _read_limited(path)
        except FileNotFoundError:
            return None
        except BrokenFileError as exc:
            return PresetEntry(path, None, exc.reason)
        except OSError as exc:
            return PresetEntry(path, None, _os_reason(exc))
        fingerprint = Fingerprint.of(data, mtime_ns)
        try:
            preset = _parse_bytes(path, data)
        except BrokenFileError as exc:
            return PresetEntry(path, None, exc.reason, fingerprint)
        return PresetEntry(path, preset, None, fingerprint)

    def save(
        self,
        preset: Preset,
        *,
        path: Path | None = None,
        expected: Fingerprint | None = None,
        secrets: Iterable[str] = (),
    ) -> PresetEntry:
        """Write ``preset`` to a new file (``path=None``) or over ``path``.

        With ``expected``, raises :class:`PresetConflictError` if the file's content is no
        longer what was loaded. Raises :class:`SecretLeakError`, writing nothing, if any of
        ``secrets`` appears in the file text.
        """
        data = self._serialise(preset, secrets, path)
        with self._lock:
            if path is None:
                target = self._create_new(safe_file_stem(preset.name), data)
            else:
                target = self._own(path)
                if expected is not None:
                    self._check_unchanged(target, expected)
                self._write(target, data)
            return self._written_entry(target, preset, data)

    def rename(
        self, entry: PresetEntry, new_name: str, *, secrets: Iterable[str] = ()
    ) -> PresetEntry:
        """Rename the preset and its file; refuses if the file changed since ``entry`` was read."""
        preset = _replace_name(self._require_preset(entry), new_name)
        data = self._serialise(preset, secrets, entry.path)
        old = self._own(entry.path)
        with self._lock:
            if entry.fingerprint is not None:
                self._check_unchanged(old, entry.fingerprint)
            target = self._create_new(safe_file_stem(preset.name), data, current=old)
            if target != old:
                # The new file exists before the old one goes: a crash leaves two copies.
                with _write_errors(old), contextlib.suppress(FileNotFoundError):
                    os.unlink(old)
            return self._written_entry(target, preset, data)

    def duplicate(
        self, entry: PresetEntry, new_name: str, *, secrets: Iterable[str] = ()
    ) -> PresetEntry:
        preset = _replace_name(self._require_preset(entry), new_name)
        return self.save(preset, secrets=secrets)

    def delete(self, entry: PresetEntry) -> None:
        """Remove the preset's file (broken ones too); already gone is fine."""
        path = self._own(entry.path)
        with self._lock, _write_errors(path), contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    def import_file(self, src: Path, *, secrets: Iterable[str] = ()) -> PresetEntry:
        """Validate ``src`` and copy it in under a fresh name; BrokenFileError if invalid."""
        src = Path(src)
        try:
            data, _ = _read_limited(src)
        except OSError as exc:
            raise BrokenFileError(src, _os_reason(exc)) from exc
        return self.save(_parse_bytes(src, data), secrets=secrets)

    def export(self, entry: PresetEntry, dest: Path, *, secrets: Iterable[str] = ()) -> None:
        """Write the preset to ``dest`` (anywhere) atomically."""
        preset = self._require_preset(entry)
        data = self._serialise(preset, secrets, Path(dest))
        with _write_errors(Path(dest)):
            atomic_write_bytes(Path(dest), data)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _serialise(preset: Preset, secrets: Iterable[str], path: Path | None) -> bytes:
        text = preset.to_file_text()
        if contains_secret(text, secrets):
            raise SecretLeakError(path)
        return text.encode("utf-8")

    @staticmethod
    def _require_preset(entry: PresetEntry) -> Preset:
        if entry.preset is None:
            raise BrokenFileError(entry.path, entry.error or "The preset could not be loaded")
        return entry.preset

    def _own(self, path: Path) -> Path:
        path = Path(path)
        if path.parent.resolve() != self.directory.resolve() or path.suffix != PRESET_SUFFIX:
            raise StorageError(f"{path} is not a preset file in {self.directory}")
        return self.directory / path.name

    def _write(self, path: Path, data: bytes) -> None:
        with _write_errors(path):
            atomic_write_bytes(path, data)

    def _check_unchanged(self, path: Path, expected: Fingerprint) -> None:
        try:
            current, mtime_ns = _read_limited(path)
        except FileNotFoundError:
            raise PresetConflictError(
                path, f"{path.name} was deleted on disk since it was loaded."
            ) from None
        except BrokenFileError:
            raise PresetConflictError(path) from None
        except OSError as exc:
            raise StorageError(f"Cannot check {path.name}: {exc.strerror or exc}") from exc
        if not Fingerprint.of(current, mtime_ns).same_content(expected):
            raise PresetConflictError(path)

    def _create_new(self, stem: str, data: bytes, current: Path | None = None) -> Path:
        """Write ``data`` to ``stem.json``, or ``stem-2.json``… whichever is free first.

        A candidate that is ``current`` (the file being renamed, perhaps differing only in
        case) counts as free and is rewritten in place.
        """
        taken = {
            p.name.casefold()
            for p in self.directory.iterdir()
            if current is None or p.name != current.name
        }
        own = current.name.casefold() if current is not None else None
        for n in range(1, 10_001):
            candidate = f"{stem}{PRESET_SUFFIX}" if n == 1 else f"{stem}-{n}{PRESET_SUFFIX}"
            key = candidate.casefold()
            if key in taken:
                continue
            path = self.directory / candidate
            if current is not None and key == own:
                self._write(current, data)
                if candidate != current.name:
                    with _write_errors(path):
                        os.rename(current, path)
                return path
            try:
                with _write_errors(path):
                    atomic_write_bytes(path, data, exclusive=True)
            except FileExistsError:
                # Created meanwhile by someone else, or the same name on a case-insensitive disk.
                continue
            return path
        raise StorageError(f"No free file name for {stem!r}")

    @staticmethod
    def _written_entry(path: Path, preset: Preset, data: bytes) -> PresetEntry:
        try:
            mtime_ns = os.stat(path).st_mtime_ns
        except OSError:
            mtime_ns = 0
        # A private copy, so later edits of the caller's model don't alter the entry.
        return PresetEntry(path, preset.model_copy(deep=True), None, Fingerprint.of(data, mtime_ns))


def _replace_name(preset: Preset, new_name: str) -> Preset:
    return Preset.model_validate({**preset.model_dump(), "name": new_name})
