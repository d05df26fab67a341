"""``python -m profile_editor.packaging build``: the standalone folder and its archive.

PyInstaller runs in a child process on a generated spec (``spec.py``); then the folder gets what
a person installing it needs (Linux: the icon, a ``.desktop`` file and ``install.sh``; all: a
short README) and is packed as ``dist/<name>.tar.gz`` (``.zip`` on Windows).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from profile_editor.desktop.entry import desktop_entry_text
from profile_editor.desktop.identity import APP_ID, APP_NAME
from profile_editor.packaging.layout import (
    COMMANDS,
    MAC_BUNDLE,
    MAC_BUNDLE_ID,
    Target,
    current_target,
    git_tag_version,
)
from profile_editor.packaging.spec import SpecCommand, SpecPlan, render_spec
from profile_editor.version import DISTRIBUTION, version

__all__ = ["BuildError", "BuildResult", "build", "folder_size", "source_root"]

Say = Callable[[str], None]


class BuildError(Exception):
    pass


@dataclass(frozen=True)
class BuildResult:
    target: Target
    folder: Path
    archive: Path
    seconds: float

    @property
    def archive_bytes(self) -> int:
        return self.archive.stat().st_size


def source_root() -> Path:
    """The folder holding the ``profile_editor`` package being built."""
    return Path(str(resources.files("profile_editor"))).parent


def build_version(root: Path) -> str:
    """The release tag's version when the checkout is on one, else the package's."""
    return git_tag_version(root) or version()


def build(
    *, dist: Path, work: Path, clean: bool = False, strip: bool = True, say: Say = print
) -> BuildResult:
    started = time.perf_counter()
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError(
            "PyInstaller is not installed in this environment: pip install -e '.[build]'"
        )
    dist, work = dist.resolve(), work.resolve()
    root = source_root()
    target = current_target(build_version(root))
    if target.version != version():
        say(f"Version {target.version} from the git tag (the package says {version()}).")
    stage = work / target.name
    stage.mkdir(parents=True, exist_ok=True)
    spec_file = stage / f"{APP_ID}.spec"
    spec_file.write_text(render_spec(_plan(target, root, stage, strip)), encoding="utf-8")
    say(f"Building {target.name} with PyInstaller (log: {stage / 'pyinstaller.log'})…")
    _run_pyinstaller(spec_file, stage, clean)
    folder = dist / target.name
    _assemble(target, stage / "dist", folder)
    say(f"Packing {folder.name}{target.archive_suffix}…")
    archive = _pack(folder, dist / target.archive_name)
    return BuildResult(target, folder, archive, time.perf_counter() - started)


# -- the spec's inputs --------------------------------------------------------------------------


def _plan(target: Target, root: Path, stage: Path, strip: bool) -> SpecPlan:
    entries = stage / "entry"
    shutil.rmtree(entries, ignore_errors=True)  # only this build's scripts beside each other
    entries.mkdir()
    commands = []
    for command in COMMANDS:
        # Not named like a package (profile_editor.py would hide the real one).
        script = entries / f"start_{command.name.replace('-', '_')}.py"
        script.write_text(command.entry_script(), encoding="utf-8")
        commands.append(SpecCommand(command.name, script.as_posix(), command.gui))
    package = root / "profile_editor"
    datas = [*_resource_files(package), *_metadata(target.version, stage)]
    icon = version_file = bundle = None
    if target.system == "windows":
        icon = _png_icon(stage, 256)
        version_file = _windows_version_file(target.version, stage)
    elif target.system == "macos":
        icon = _png_icon(stage, 1024)
        bundle = {
            "name": MAC_BUNDLE,
            "identifier": MAC_BUNDLE_ID,
            "version": target.version,
            "display_name": APP_NAME,
        }
    return SpecPlan(
        name=APP_ID,
        system=target.system,
        commands=commands,
        datas=datas,
        hidden_imports=project_modules(package),
        pathex=[root.as_posix()],
        runtime_hooks=[_runtime_hook(stage)] if target.system == "linux" else [],
        icon=icon,
        version_file=version_file,
        bundle=bundle,
        # Windows DLLs are not stripped (strip would not know them); macOS signatures break.
        strip=strip and target.system == "linux" and shutil.which("strip") is not None,
    )


# Runs in the built app (Linux) before the app does. The launcher puts the build's library folder
# on LD_LIBRARY_PATH for the app itself (the dynamic loader has read it by then); programs the app
# starts (a spreadsheet opening a bulk report, through xdg-open) must not inherit it, or they
# would load this build's glib or libstdc++ instead of their own.
RUNTIME_HOOK = """\
import os

_saved = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
if _saved is None:
    os.environ.pop("LD_LIBRARY_PATH", None)
else:
    os.environ["LD_LIBRARY_PATH"] = _saved
"""


def _runtime_hook(stage: Path) -> str:
    path = stage / "entry" / "pyi_rth_profile_editor_environment.py"
    path.write_text(RUNTIME_HOOK, encoding="utf-8")
    return path.as_posix()


def project_modules(package: Path) -> list[str]:
    """Every module of the app (found on disk, nothing imported), for the analysis to take in:
    the command line and the sandbox are not imported by the window's entry point."""
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if "packaging" in parts[:2]:
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _resource_files(package: Path) -> list[tuple[str, str]]:
    """The icons and the style sheet, as the wheel ships them (no byte-code caches)."""
    return [
        (path.as_posix(), path.parent.relative_to(package.parent).as_posix())
        for path in sorted((package / "resources").rglob("*"))
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]


def _metadata(build_version: str, stage: Path) -> list[tuple[str, str]]:
    """The package metadata ``--version`` reads, with the version this build is made as."""
    name = f"{DISTRIBUTION.replace('-', '_')}-{build_version}.dist-info"
    folder = stage / "metadata" / name
    if folder.parent.exists():
        shutil.rmtree(folder.parent)
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {build_version}\n",
        encoding="utf-8",
    )
    return [(folder.as_posix(), name)]


def _png_icon(stage: Path, size: int) -> str:
    """app.svg drawn as a PNG; PyInstaller turns it into the .ico / .icns (with Pillow)."""
    svg = Path(str(resources.files("profile_editor.resources") / "app.svg"))
    png = stage / f"{APP_ID}-{size}.png"
    draw = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "app = QGuiApplication(['draw'])\n"
        "size = int(sys.argv[3])\n"
        "image = QImage(size, size, QImage.Format.Format_ARGB32)\n"
        "image.fill(0)\n"
        "painter = QPainter(image)\n"
        "QSvgRenderer(sys.argv[1]).render(painter)\n"
        "painter.end()\n"
        "assert image.save(sys.argv[2])\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-c", draw, str(svg), str(png), str(size)], check=True, env=env)
    return png.as_posix()


def windows_version_numbers(text: str) -> tuple[int, int, int, int]:
    numbers = [int(n) for n in text.split("+")[0].replace("-", ".").split(".") if n.isdigit()]
    first = [*numbers, 0, 0, 0, 0][:4]
    return (first[0], first[1], first[2], first[3])


def _windows_version_file(build_version: str, stage: Path) -> str:
    """The version resource Explorer shows under Properties → Details."""
    numbers = windows_version_numbers(build_version)
    strings = {
        "CompanyName": APP_NAME,
        "FileDescription": APP_NAME,
        "FileVersion": build_version,
        "InternalName": APP_ID,
        "OriginalFilename": f"{APP_ID}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": build_version,
    }
    entries = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
{entries}
    ])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    path = stage / "version-info.txt"
    path.write_text(text, encoding="utf-8")
    return path.as_posix()


# -- PyInstaller --------------------------------------------------------------------------------


def _run_pyinstaller(spec_file: Path, stage: Path, clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(stage / "dist"),
        "--workpath",
        str(stage / "work"),
        *(["--clean"] if clean else []),
        str(spec_file),
    ]
    log_path = stage / "pyinstaller.log"
    with log_path.open("w", encoding="utf-8") as log:
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    # PyInstaller reports a module it cannot find as an error, and goes on to a broken build.
    errors = [line for line in lines if " ERROR: " in line]
    if done.returncode != 0 or errors:
        tail = (errors or lines)[-30:]
        raise BuildError(
            f"PyInstaller failed (exit {done.returncode}); the end of {log_path}:\n"
            + "\n".join(tail)
        )


# -- the folder and the archive -----------------------------------------------------------------


def _assemble(target: Target, built: Path, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    if target.system == "macos":
        folder.mkdir(parents=True)
        shutil.move(str(built / MAC_BUNDLE), str(folder / MAC_BUNDLE))
        shutil.rmtree(built / APP_ID, ignore_errors=True)
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(built / APP_ID), str(folder))
    glibc = newest_glibc(folder) if target.system == "linux" else None
    (folder / "README.txt").write_text(readme_text(target, glibc), encoding="utf-8")
    if target.system == "linux":
        icon = resources.files("profile_editor.resources") / "app.svg"
        (folder / f"{APP_ID}.svg").write_bytes(icon.read_bytes())
        (folder / f"{APP_ID}.desktop").write_text(desktop_entry_text([APP_ID]), encoding="utf-8")
        script = folder / "install.sh"
        script.write_bytes(
            (resources.files("profile_editor.packaging") / "install.sh").read_bytes()
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def newest_glibc(folder: Path) -> str | None:
    """The newest C library version a binary of the build asks for: the oldest Linux it runs on
    has at least this one (the build machine's, for the libraries it brings along)."""
    if shutil.which("objdump") is None:
        return None
    found: set[tuple[int, ...]] = set()
    for path in folder.rglob("*"):
        if (
            path.is_symlink()
            or not path.is_file()
            or not (path.suffix == ".so" or ".so." in path.name or os.access(path, os.X_OK))
        ):
            continue
        symbols = subprocess.run(
            ["objdump", "-T", str(path)], capture_output=True, text=True, check=False
        ).stdout
        found.update(
            tuple(int(n) for n in v.split("."))
            for v in re.findall(r"GLIBC_([0-9.]+[0-9])", symbols)
        )
    return ".".join(map(str, max(found))) if found else None


def readme_text(target: Target, glibc: str | None = None) -> str:
    app, cli, sandbox = (target.executable(c) for c in COMMANDS)
    lines = [f"{APP_NAME} {target.version} ({target.system}, {target.machine})", ""]
    if glibc:
        lines += [f"Runs on Linux with glibc {glibc} or later (ldd --version shows yours).", ""]
    if target.system == "linux":
        lines += [
            "Start it from this folder:  ./profile-editor",
            "Add it to your applications menu and to ~/.local/bin:  ./install.sh",
            "Remove it again:  ~/.local/lib/profile-editor/install.sh --uninstall",
        ]
    elif target.system == "macos":
        lines += [
            f"Drag “{MAC_BUNDLE}” into Applications and open it from there.",
            "The first time, macOS may ask: right-click it, Open (the build is not notarised).",
        ]
    else:
        lines += [
            f"Start it: double-click {app}. Pin it to Start from its right-click menu.",
            "Windows may warn that the publisher is unknown (the build is not signed).",
        ]
    lines += [
        "",
        f"Check that it works on this machine:  {app} --self-test",
        f"Try it against a local stand-in for Courier:  {app} --sandbox",
        f"The command line:  {cli} --help     The sandbox on its own:  {sandbox} --help",
        "",
        "Presets, history and settings live in your user data folder, not in this one:",
        "replacing this folder with a newer build keeps them.",
        "",
    ]
    return "\n".join(lines)


def _pack(folder: Path, archive: Path) -> Path:
    archive.unlink(missing_ok=True)
    partial = archive.with_name(archive.name + ".part")
    if archive.suffix == ".zip":
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as packed:
            for path in sorted(folder.rglob("*")):
                packed.write(path, path.relative_to(folder.parent).as_posix())
    else:
        # gzip's default level: 9 takes three times as long for 0.5 % less.
        with tarfile.open(partial, "w:gz", compresslevel=6) as packed:
            packed.add(folder, arcname=folder.name, filter=_anonymous)
    partial.replace(archive)
    return archive


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Whoever unpacks it owns the files, whatever the build machine's user was called.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
