"""The PyInstaller spec of one build, and what the build keeps of Qt.

The spec is generated (``render_spec``) so its inputs are plain data a test can read. One
analysis of the window's entry point (the command line and the sandbox are imported by it, or
listed as hidden imports) feeds three executables in one folder: each executable gets the same
modules and the shared libraries are there once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = [
    "EXCLUDED_MODULES",
    "KEPT_PLUGINS",
    "SpecPlan",
    "keeps",
    "render_spec",
]

# Python modules the app never imports that its dependencies could pull in.
EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "pydoc",
    "doctest",
    "lib2to3",
    "pytest",
    "hypothesis",
    "PyInstaller",
    "setuptools",
    "pkg_resources",
    "pip",
    "profile_editor.packaging",
    # pydantic's type-checker plugin would bring mypy along.
    "mypy",
    "pydantic.mypy",
    # httpx's own command line, anyio (async only; the app's client is synchronous), pydantic's
    # v1 API and pytest helpers that anyio would pull in.
    "httpx._main",
    "pygments",
    "anyio",
    "trio",
    "_pytest",
    "pydantic.v1",
    # A test backend that keeps keys in a plain file: the build must never choose it.
    "keyrings",
    "readline",
    "curses",
    # Qt for Python modules beyond Core, Gui, Widgets, Network and Svg.
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtDBus",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtPdf",
    "PySide6.QtCharts",
    "PySide6.QtGraphs",
    "PySide6.Qt3DCore",
    "PySide6.QtStateMachine",
    "PySide6.QtSvgWidgets",
]

# Qt plugins kept, by folder; a folder missing here is left out whole. A name is matched as the
# start of the plugin's file name without "lib" (libqxcb.so, qwindows.dll, libqcocoa.dylib).
KEPT_PLUGINS: dict[str, tuple[str, ...]] = {
    # offscreen and minimal: --self-test and headless use; xcb and wayland: Linux desktops;
    # cocoa and windows: the other two systems (each build only has its own).
    "platforms": ("qoffscreen", "qminimal.", "qxcb", "qwayland", "qcocoa", "qwindows"),
    # The desktop's light or dark scheme through the XDG portal. Not GTK's theme: it would bring
    # this machine's cairo, pango and glib to run beside the user's GTK.
    "platformthemes": ("qxdgdesktopportal",),
    # Dead keys and compose sequences, IBus input methods (Linux).
    "platforminputcontexts": ("",),
    # Wayland windows (xdg-shell) and their title bars; no OpenGL integrations: the window is
    # drawn in software, on Wayland and X11 alike.
    "wayland-shell-integration": ("xdg-shell",),
    "wayland-decoration-client": ("",),
    # The app's icons are SVG: the icon engine and the image reader for them.
    "iconengines": ("qsvg",),
    "imageformats": ("qsvg", "qico"),
    "styles": ("",),  # macOS and Windows native styles
}


# Qt libraries that Qt for Python's hooks collect and nothing kept needs: the EGL device
# integration of the eglfs platform, OpenGL (the window is drawn in software), and Windows'
# software OpenGL.
DROPPED_LIBRARIES = ("libQt6EglFS", "libQt6EglFs", "libQt6OpenGL.", "Qt6OpenGL.", "opengl32sw.")


def keeps(dest: str) -> bool:
    """Whether a collected file (its path inside the build) stays: of Qt's plugins, those above;
    none of Qt's translations (the app speaks English only); everything else."""
    parts = dest.replace("\\", "/").split("/")
    if parts[-1].startswith(DROPPED_LIBRARIES):
        return False
    if parts[0] != "PySide6":
        return True
    if "translations" in parts:
        return False
    if "plugins" not in parts:
        return True
    rest = parts[parts.index("plugins") + 1 :]
    if len(rest) < 2:
        return True
    starts = KEPT_PLUGINS.get(rest[0])
    name = rest[-1].removeprefix("lib")
    return starts is not None and any(name.startswith(start) for start in starts)


@dataclass(frozen=True)
class SpecCommand:
    name: str
    script: str  # path of the entry script
    gui: bool


@dataclass(frozen=True)
class SpecPlan:
    """Everything the spec needs, as JSON-able data."""

    name: str  # PyInstaller's folder name
    system: str  # linux, macos, windows
    commands: list[SpecCommand]
    datas: list[tuple[str, str]]  # (source, folder inside the build)
    hidden_imports: list[str]
    pathex: list[str]  # the source tree: an editable install's import hook is not followed
    runtime_hooks: list[str] = field(default_factory=list)  # run in the app before it starts
    excludes: list[str] = field(default_factory=lambda: list(EXCLUDED_MODULES))
    icon: str | None = None  # .ico (Windows) / .icns or .png (macOS)
    version_file: str | None = None  # Windows version resource
    bundle: dict[str, str] | None = None  # macOS .app: name, identifier, version
    strip: bool = False


SPEC = """\
# Made by `python -m profile_editor.packaging build` for one build: change
# profile_editor/packaging/spec.py instead.
import json

PLAN = json.loads(@PLAN@)
KEPT_PLUGINS = json.loads(@KEPT@)
DROPPED_LIBRARIES = tuple(json.loads(@DROPPED@))


@KEEPS@



def needed_only(binaries):
    # The plugins left out took their own system libraries in with them (GTK's cairo, pango…):
    # a top-level shared library stays only if something kept links to it.
    import os

    from PyInstaller.depend.bindepend import get_imports

    shared = {dest: entry for dest, *entry in binaries if "/" not in dest and entry[1] == "BINARY"}
    todo = [e for e in binaries if e[0] not in shared and e[2] != "SYMLINK"]
    todo += [(d, *e) for d, e in shared.items() if d.startswith("libpython")]
    needed, seen = set(), set()
    while todo:
        dest, source, kind = todo.pop()
        if source in seen:
            continue
        seen.add(source)
        for name, _ in get_imports(source):
            name = os.path.basename(name)
            if name in shared and name not in needed:
                needed.add(name)
                todo.append((name, *shared[name]))
    return [e for e in binaries if e[0] not in shared or e[0] in needed or e[0].startswith("libpython")]


a = Analysis(
    [PLAN["commands"][0]["script"]],
    pathex=PLAN["pathex"],
    datas=[tuple(d) for d in PLAN["datas"]],
    hiddenimports=PLAN["hidden_imports"],
    runtime_hooks=PLAN["runtime_hooks"],
    excludes=PLAN["excludes"],
    # Modules as .pyc files in the folder, not in an archive inside each executable: the three
    # executables share them instead of carrying three copies.
    noarchive=True,
)
a.binaries = [entry for entry in a.binaries if keeps(entry[0])]
a.datas = [entry for entry in a.datas if keeps(entry[0])]
if PLAN["system"] == "linux":
    a.binaries = needed_only(a.binaries)
pyz = PYZ(a.pure)

# Each command: the runtime hooks of the analysis, then its own entry script.
main_name, _, source_kind = a.scripts[-1]
hooks = [entry for entry in a.scripts if entry[0] != main_name]
executables = []
for command in PLAN["commands"]:
    script_name = command["script"].rsplit("/", 1)[-1].removesuffix(".py")
    executables.append(
        EXE(
            pyz,
            hooks + [(script_name, command["script"], source_kind)],
            exclude_binaries=True,
            name=command["name"],
            console=not (command["gui"] and PLAN["system"] in ("windows", "macos")),
            # macOS: the icon is the bundle's (below), not each executable's.
            icon=PLAN["icon"] if PLAN["system"] == "windows" else None,
            version=PLAN["version_file"],
            strip=PLAN["strip"],
            upx=False,
        )
    )
folder = COLLECT(
    *executables, a.binaries, a.datas, name=PLAN["name"], strip=PLAN["strip"], upx=False
)
if PLAN["bundle"]:
    bundle = PLAN["bundle"]
    BUNDLE(
        folder,
        name=bundle["name"],
        icon=PLAN["icon"],
        bundle_identifier=bundle["identifier"],
        version=bundle["version"],
        info_plist={
            "CFBundleDisplayName": bundle["display_name"],
            "CFBundleShortVersionString": bundle["version"],
            "NSHighResolutionCapable": True,
            "NSRequiresAquaSystemAppearance": False,
        },
    )
"""


def render_spec(plan: SpecPlan) -> str:
    import inspect

    values = {
        "@PLAN@": repr(json.dumps(asdict(plan))),
        "@KEPT@": repr(json.dumps(KEPT_PLUGINS)),
        "@DROPPED@": repr(json.dumps(DROPPED_LIBRARIES)),
        "@KEEPS@": inspect.getsource(keeps).strip(),
    }
    text = SPEC
    for marker, value in values.items():
        text = text.replace(marker, value)
    return text
