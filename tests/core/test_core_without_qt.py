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
import profile_editor.core.changes
import profile_editor.core.client
import profile_editor.core.config
import profile_editor.core.jsoncodec
import profile_editor.core.models
import profile_editor.core.recipient
import profile_editor.core.session
import profile_editor.sandbox.server
import profile_editor.storage.history
import profile_editor.storage.presets
from profile_editor.core.models import ProfileRequest
print(ProfileRequest(base_url="https://api.courier.com", recipient_id="a/b").url)
assert not any(m.startswith("PySide6") for m in sys.modules)
"""


def test_core_imports_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://api.courier.com/profiles/a%2Fb"
