"""Drafts on disk, the log, the crash hooks and the desktop helpers import with PySide6 absent."""

import subprocess
import sys

CODE = r"""
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6."):
            raise ImportError("PySide6 is blocked for this test")
        return None

sys.meta_path.insert(0, Block())
import profile_editor.desktop.entry
import profile_editor.desktop.geometry
import profile_editor.desktop.platform_check
import profile_editor.diagnostics.crash
import profile_editor.diagnostics.log_setup
import profile_editor.diagnostics.masking
import profile_editor.storage.drafts
from profile_editor.desktop.geometry import fit_geometry_to_screens
print(tuple(fit_geometry_to_screens((5000, 0, 10, 10), [(0, 0, 100, 100)])))
assert not any(m.startswith("PySide6") for m in sys.modules)
"""


def test_desktop_and_diagnostics_import_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(90, 0, 10, 10)"
