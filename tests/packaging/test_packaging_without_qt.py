"""The build tooling is Qt-free: it drives PyInstaller in a child process."""

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
import importlib, pkgutil
import profile_editor.packaging as packaging
import profile_editor.version
for info in pkgutil.walk_packages(packaging.__path__, "profile_editor.packaging."):
    importlib.import_module(info.name)
assert not any(m.startswith("PySide6") for m in sys.modules)
print("ok")
"""


def test_packaging_imports_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
