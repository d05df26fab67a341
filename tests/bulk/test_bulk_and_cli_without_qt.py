"""The command line, bulk and build-tooling packages import with PySide6 absent (the build
drives PyInstaller in a child process)."""

import subprocess
import sys

CODE = r"""
import importlib
import pkgutil
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6."):
            raise ImportError("PySide6 is blocked for this test")
        return None

sys.meta_path.insert(0, Block())
import profile_editor.version
for package in ("cli", "bulk", "packaging"):
    module = importlib.import_module(f"profile_editor.{package}")
    for info in pkgutil.walk_packages(module.__path__, f"profile_editor.{package}."):
        if info.name != "profile_editor.cli.__main__":
            importlib.import_module(info.name)
assert not any(m.startswith("PySide6") for m in sys.modules)
print("ok")
"""


def test_cli_and_bulk_import_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
