"""Which package may import which: the layers that show in the folders, checked on every module.

(PySide6 staying out of the Qt-free packages is checked by importing them with it blocked, in
tests/core/test_core_without_qt.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "profile_editor"

CORE_SHARED = {"core"}  # core/methods.py, core/recipient.py, core/cooperate.py
CORE = CORE_SHARED | {"core.profile", "core.http", "core.send", "core.lists", "core.users"}
QT_FREE = CORE | {"storage", "bulk", "cli", "sandbox", "diagnostics", "desktop"}
UI_FEATURES = {
    "ui.editor",
    "ui.request",
    "ui.environments",
    "ui.presets",
    "ui.history",
    "ui.lists",
    "ui.bulk",
    "ui.drafts",
    "ui.users",
}

# What each package may import of this project (besides itself and the package root).
ALLOWED: dict[str, set[str]] = {
    "core": CORE_SHARED,
    "core.profile": CORE_SHARED,
    "core.http": CORE_SHARED | {"core.profile"},
    "core.send": CORE_SHARED | {"core.profile", "core.http"},
    "core.lists": CORE_SHARED | {"core.profile", "core.http", "core.send"},
    "core.users": CORE_SHARED | {"core.profile", "core.http", "core.send", "core.lists"},
    "storage": CORE,
    "sandbox": CORE,
    "diagnostics": {"storage"},
    "desktop": {"storage"},
    "bulk": CORE | {"storage"},
    "cli": CORE | {"storage", "bulk", "sandbox", "diagnostics"},
    "ui.common": CORE,
    **{feature: (QT_FREE - {"cli"}) | {"ui.common"} | UI_FEATURES for feature in UI_FEATURES},
    "ui.shell": (QT_FREE - {"cli"}) | {"ui.common"} | UI_FEATURES,
    "ui": set(),
    "app": (QT_FREE - {"cli"}) | {"ui.common", "ui.shell"},
    # The standalone build: Qt-free, it only needs the app's names and its desktop entry.
    "packaging": {"desktop"},
    "version": set(),
}
# Every package may read the version (profile_editor.version, or the package's __version__).
EVERYONE = {"", "__version__", "version", "__main__"}


def unit_of(module: str) -> str:
    """`profile_editor.core.http.client` -> `core.http`; `profile_editor.cli.main` -> `cli`."""
    parts = module.split(".")[1:]
    if len(parts) >= 2 and parts[0] in ("core", "ui") and (PACKAGE / parts[0] / parts[1]).is_dir():
        return f"{parts[0]}.{parts[1]}"
    return parts[0] if parts else ""


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: use absolute imports"
            if node.module.startswith("profile_editor"):
                if node.module.count(".") <= 1:  # `from profile_editor.ui import x`
                    names.update(f"{node.module}.{alias.name}" for alias in node.names)
                else:
                    names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("profile_editor."))
    return names


MODULES = sorted(
    p for p in PACKAGE.rglob("*.py") if "resources" not in p.relative_to(PACKAGE).parts[:1]
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_package_has_a_rule() -> None:
    units = {unit_of(module_name(p)) for p in MODULES} - {"", "__main__"}
    assert units <= set(ALLOWED), sorted(units - set(ALLOWED))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_the_right_way(path: Path) -> None:
    own = unit_of(module_name(path))
    if own in ("", "__main__"):
        return
    wrong = {
        name for name in imports_of(path) if unit_of(name) not in ALLOWED[own] | {own} | EVERYONE
    }
    assert not wrong, f"{own} may not import {sorted(wrong)}"
