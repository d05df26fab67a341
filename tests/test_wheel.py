"""The built wheel holds every module and resource: packages are discovered, not listed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import importlib, sys
from importlib import resources
site, names = sys.argv[1], sys.argv[2:]
sys.path.insert(0, site)
for name in names:
    module = importlib.import_module(name)
    assert module.__file__.startswith(site), (name, module.__file__)
assert (resources.files("profile_editor.resources") / "app.qss").is_file()
assert (resources.files("profile_editor.resources") / "icons" / "send.svg").is_file()
print(len(names))
"""


def test_every_module_imports_from_the_built_wheel(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "profile_editor", source / "profile_editor")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("profile_editor-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)

    names = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "profile_editor").rglob("*.py")
        if p.name != "__main__.py"
    )
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(site), *names],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(names)
