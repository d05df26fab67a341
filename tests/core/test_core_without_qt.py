"""The core must import and work with PySide6 absent."""

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
import importlib
import pkgutil

import profile_editor
# Every module of the Qt-free layers, so a new one is covered without being listed here.
for package in ("core", "storage", "sandbox"):
    module = importlib.import_module(f"profile_editor.{package}")
    for info in pkgutil.walk_packages(module.__path__, f"profile_editor.{package}."):
        importlib.import_module(info.name)
from profile_editor.core.http.models import ProfileRequest
print(ProfileRequest(base_url="https://api.courier.com", recipient_id="a/b").url)
assert not any(m.startswith("PySide6") for m in sys.modules)
"""


def test_core_imports_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://api.courier.com/profiles/a%2Fb"
