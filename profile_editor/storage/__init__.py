"""Qt-free persistence: presets, environments and their keys, send history."""

from .atomic import atomic_write_bytes, atomic_write_text
from .environments import Environment, EnvironmentStore, default_environments, env_from_os_environ
from .errors import BrokenFileError, PresetConflictError, SecretLeakError, StorageError
from .history import HistoryEntry, HistoryLog, filter_entries
from .presets import Fingerprint, Preset, PresetEntry, PresetStore, safe_file_stem
from .secrets import KeyVault

__all__ = [
    "BrokenFileError",
    "Environment",
    "EnvironmentStore",
    "Fingerprint",
    "HistoryEntry",
    "HistoryLog",
    "KeyVault",
    "Preset",
    "PresetConflictError",
    "PresetEntry",
    "PresetStore",
    "SecretLeakError",
    "StorageError",
    "atomic_write_bytes",
    "atomic_write_text",
    "default_environments",
    "env_from_os_environ",
    "filter_entries",
    "safe_file_stem",
]
