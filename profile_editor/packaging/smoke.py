"""``python -m profile_editor.packaging smoke``: the archive, checked as a user would meet it.

Unpacked into a fresh folder and run with a clean ``HOME`` (and ``TMPDIR``, ``XDG_RUNTIME_DIR``),
no display and no Python on ``PATH`` beyond the system's: ``--version`` of all three commands,
``profile-editor --self-test``, the command line against the sandbox command, and on Linux
``install.sh`` and ``--uninstall`` in a home of their own. Then nothing may have been written in
the home, the temporary folder or the runtime folder except under the app's data folder.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from profile_editor.desktop.identity import APP_ID
from profile_editor.packaging.layout import COMMANDS, Target, current_target

__all__ = ["SmokeFailed", "Tree", "changes_outside", "smoke", "snapshot", "unpack"]

Say = Callable[[str], None]
TIMEOUT_S = 120
Tree = dict[str, tuple[str, int, int]]  # relative path -> (kind, size, modified ns)


class SmokeFailed(Exception):
    pass


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float


def target_of(archive: Path) -> Target:
    """The target an archive was built for, from its name (``profile-editor-V-SYSTEM-MACHINE``)."""
    here = current_target("")
    stem = archive.name.removesuffix(here.archive_suffix)
    suffix = f"-{here.system}-{here.machine}"
    prefix = f"{APP_ID}-"
    if not (stem.startswith(prefix) and stem.endswith(suffix)):
        raise SmokeFailed(f"{archive.name} is not a build for this machine ({here.name}…)")
    return current_target(stem.removeprefix(prefix).removesuffix(suffix))


def unpack(archive: Path, into: Path) -> None:
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as packed:
            packed.extractall(into)
    else:
        with tarfile.open(archive) as packed:
            packed.extractall(into, filter="tar")


def snapshot(root: Path) -> Tree:
    tree: Tree = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        kind = "dir" if path.is_dir() and not path.is_symlink() else "file"
        tree[path.relative_to(root).as_posix()] = (
            kind,
            0 if kind == "dir" else info.st_size,
            0 if kind == "dir" else info.st_mtime_ns,
        )
    return tree


def changes_outside(before: Tree, after: Tree, allowed: str | None) -> list[str]:
    """What changed between two snapshots of one folder, except at or under ``allowed`` (a
    relative path) and the folders leading to it."""

    def exempt(path: str) -> bool:
        if allowed is None:
            return False
        return path == allowed or path.startswith(allowed + "/") or allowed.startswith(path + "/")

    changed = []
    for path in sorted(before.keys() | after.keys()):
        if exempt(path) or before.get(path) == after.get(path):
            continue
        what = "added" if path not in before else "removed" if path not in after else "changed"
        changed.append(f"{what}: {path}")
    return changed


def default_data_dir(target: Target, home: Path) -> Path:
    """Where the app keeps its files for a user whose home is ``home`` (platformdirs' choice)."""
    if target.system == "macos":
        return home / "Library" / "Application Support" / APP_ID
    if target.system == "windows":
        return home / "AppData" / "Local" / APP_ID
    return home / ".local" / "share" / APP_ID


def clean_environment(home: Path, temp: Path, runtime: Path, target: Target) -> dict[str, str]:
    """A user's environment with nothing of this one: no display, no Python, no XDG overrides."""
    env = {
        "HOME": str(home),
        "TMPDIR": str(temp),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
        "PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"]),
    }
    if target.system == "windows":
        keep = (
            "SYSTEMROOT",
            "WINDIR",
            "COMSPEC",
            "PATHEXT",
            "SYSTEMDRIVE",
            "PROCESSOR_ARCHITECTURE",
        )
        env = {k: v for k, v in os.environ.items() if k.upper() in keep}
        env.update(
            USERPROFILE=str(home),
            APPDATA=str(home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(home / "AppData" / "Local"),
            TEMP=str(temp),
            TMP=str(temp),
            PATH=os.environ.get("SYSTEMROOT", r"C:\Windows") + r"\System32",
        )
    return env


def smoke(archive: Path, *, say: Say = print) -> bool:
    """Every check, each said as it passes; False (after saying why) at the first that fails."""
    started = time.perf_counter()
    try:
        target = target_of(archive)
        with tempfile.TemporaryDirectory(prefix="profile-editor-smoke-") as scratch:
            _Smoke(target, archive, Path(scratch), say).run()
    except SmokeFailed as err:
        say(f"FAILED  {err}")
        return False
    say(f"Smoke test passed in {time.perf_counter() - started:.1f} s.")
    return True


class _Smoke:
    def __init__(self, target: Target, archive: Path, scratch: Path, say: Say) -> None:
        self.target, self.archive, self.say = target, archive, say
        self.unpacked = scratch / "unpacked"
        self.home = scratch / "home"
        self.temp = scratch / "tmp"
        self.runtime = scratch / "runtime"
        for folder in (self.home, self.temp, self.runtime):
            folder.mkdir(mode=0o700)
        self.env = clean_environment(self.home, self.temp, self.runtime, target)
        self.data_dir = default_data_dir(target, self.home)
        self.scratch = scratch

    def run(self) -> None:
        began = time.perf_counter()
        unpack(self.archive, self.unpacked)
        self.folder = self.unpacked / self.target.name
        self._check_files()
        self.say(f"ok      unpacked {self.archive.name} ({time.perf_counter() - began:.1f} s)")
        watched = {"home": self.home, "tmp": self.temp, "runtime": self.runtime}
        before = {name: snapshot(folder) for name, folder in watched.items()}
        self._versions()
        self._self_test()
        self._command_line()
        allowed = self.data_dir.relative_to(self.home).as_posix()
        written = [
            f"{name}: {change}"
            for name, folder in watched.items()
            for change in changes_outside(
                before[name], snapshot(folder), allowed if name == "home" else None
            )
        ]
        if written:
            raise SmokeFailed("written outside the data folder:\n  " + "\n  ".join(written))
        in_data = sorted(
            p.relative_to(self.data_dir).as_posix() for p in self.data_dir.rglob("*") if p.is_file()
        )
        self.say(
            "ok      nothing written outside the data folder; in it: "
            + (", ".join(in_data) or "nothing")
        )
        if self.target.system == "linux":
            self._install_script()
            self._plugin_libraries()

    # -- the checks ---------------------------------------------------------------------------

    def _check_files(self) -> None:
        expected = [self.target.executable(c) for c in COMMANDS] + ["README.txt"]
        if self.target.system == "linux":
            expected += [f"{APP_ID}.svg", f"{APP_ID}.desktop", "install.sh"]
        missing = [name for name in expected if not (self.folder / name).is_file()]
        if missing:
            raise SmokeFailed(f"missing from the archive: {', '.join(missing)}")

    def _versions(self) -> None:
        for command in COMMANDS:
            done = self._run(command.name, ["--version"])
            wanted = f"{command.name} {self.target.version}"
            if done.code != 0 or done.out.strip() != wanted:
                raise SmokeFailed(f"{command.name} --version: {done.code}, {done.out!r}{done.err}")
            self.say(f"ok      {wanted} ({done.seconds:.2f} s)")

    def _self_test(self) -> None:
        done = self._run(APP_ID, ["--self-test", *self._data_dir_option()])
        if done.code != 0 or "Self-test passed" not in done.out:
            raise SmokeFailed(f"{APP_ID} --self-test exited {done.code}:\n{done.out}{done.err}")
        self.say(f"ok      {APP_ID} --self-test ({done.seconds:.2f} s)")
        for line in done.out.splitlines():
            self.say(f"          {line}")
        if self.target.system == "linux" and shutil.which("Xvfb"):
            with _x_display() as display:
                env = {**self.env, "DISPLAY": display}
                on_x = self._run(APP_ID, ["--self-test"], env)
            if on_x.code != 0 or "Qt platform: xcb" not in on_x.out:
                raise SmokeFailed(
                    f"--self-test on {display} exited {on_x.code}:\n{on_x.out}{on_x.err}"
                )
            self.say(
                f"ok      {APP_ID} --self-test on an X display (Xvfb, xcb) ({on_x.seconds:.2f} s)"
            )

    def _command_line(self) -> None:
        """The sandbox command serving, the command line sending to it and reading back."""
        server = subprocess.Popen(
            [str(self.folder / self.target.executable(COMMANDS[2])), "--port", "0", "--memory"],
            env=self.env,
            cwd=self.scratch,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = _first_line(server, 30)
            if not line.startswith("Sandbox listening on "):
                raise SmokeFailed(
                    f"the sandbox said {line!r}: {server.stderr.read() if server.stderr else ''}"
                )
            url = line.split()[3]
            key = line.rsplit("key: ", 1)[1].rstrip(")\n")
            env = {**self.env, "COURIER_API_KEY": key}
            options = ["--base-url", url, *self._data_dir_option()]
            cli = COMMANDS[1].name
            sent = self._run(
                cli, [*options, "send", "smoke-test", "--file", "-"], env, '{"locale": "fr-FR"}'
            )
            if sent.code != 0:
                raise SmokeFailed(f"{cli} send exited {sent.code}: {sent.out}{sent.err}")
            got = self._run(cli, [*options, "get", "smoke-test", "--json"], env)
            profile = json.loads(got.out).get("profile") if got.code == 0 else None
            if profile != {"locale": "fr-FR"}:
                raise SmokeFailed(f"{cli} get exited {got.code}: {got.out}{got.err}")
            self.say(
                f"ok      {COMMANDS[2].name} served, {cli} sent and read back "
                f"({sent.seconds:.2f} s, {got.seconds:.2f} s)"
            )
        finally:
            server.terminate()
            try:
                server.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
        # Windows has no SIGTERM: terminate() ends the process with exit code 1.
        if self.target.system != "windows" and server.returncode not in (0, -15):
            raise SmokeFailed(f"the sandbox ended with {server.returncode} on SIGTERM")

    def _install_script(self) -> None:
        home = self.scratch / "install-home"
        home.mkdir()
        env = {**self.env, "HOME": str(home), "PATH": f"{home}/.local/bin:{self.env['PATH']}"}
        script = self.folder / "install.sh"
        done = _run([str(script)], env, self.scratch)
        app_dir = home / ".local" / "lib" / APP_ID
        desktop = home / ".local" / "share" / "applications" / f"{APP_ID}.desktop"
        if done.code != 0 or not desktop.is_file():
            raise SmokeFailed(f"install.sh exited {done.code}: {done.out}{done.err}")
        if f'Exec="{app_dir}/{APP_ID}"' not in desktop.read_text(encoding="utf-8"):
            raise SmokeFailed(f"the installed launcher does not start {app_dir}/{APP_ID}")
        linked = _run([str(home / ".local" / "bin" / COMMANDS[1].name), "--version"], env, home)
        if linked.code != 0:
            raise SmokeFailed(f"the installed {COMMANDS[1].name} --version: {linked.err}")
        gone = _run([str(app_dir / "install.sh"), "--uninstall"], env, self.scratch)
        left = [p.relative_to(home).as_posix() for p in home.rglob("*") if not p.is_dir()]
        if gone.code != 0 or left:
            raise SmokeFailed(f"install.sh --uninstall exited {gone.code}, left {left}")
        self.say(
            "ok      install.sh installed (commands, menu entry, icon) and --uninstall removed it all"
        )

    def _plugin_libraries(self) -> None:
        """Said, not failed: libraries Qt's xcb and Wayland plugins need that neither the build
        nor this machine has (the user's machine must then have them)."""
        internal = self.folder / "_internal"
        plugins = sorted(internal.glob("PySide6/Qt/plugins/platforms/libq*.so"))
        if shutil.which("ldd") is None or not plugins:
            return
        env = {**self.env, "LD_LIBRARY_PATH": str(internal)}
        missing: set[str] = set()
        for plugin in plugins:
            listed = _run(["ldd", str(plugin)], env, self.scratch).out
            missing.update(line.split()[0] for line in listed.splitlines() if "not found" in line)
        if missing:
            self.say(
                "note    not in the build, not on this machine (the user's must have them): "
                + ", ".join(sorted(missing))
            )
        else:
            self.say("ok      every library the platform plugins link to is in the build or here")

    # -- helpers ------------------------------------------------------------------------------

    def _data_dir_option(self) -> list[str]:
        # Windows finds its folders through the shell, not the environment: named explicitly.
        return ["--data-dir", str(self.data_dir)] if self.target.system == "windows" else []

    def _run(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str] | None = None,
        stdin: str | None = None,
    ) -> Run:
        command = next(c for c in COMMANDS if c.name == name)
        path = self.folder / self.target.executable(command)
        return _run([str(path), *args], env or self.env, self.scratch, stdin)


def _run(argv: list[str], env: Mapping[str, str], cwd: Path, stdin: str | None = None) -> Run:
    began = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            env=dict(env),
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SmokeFailed(f"{' '.join(argv)}: still running after {TIMEOUT_S} s") from None
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - began)


@contextmanager
def _x_display() -> Iterator[str]:
    """A virtual X server for the length of the block (Xvfb picks a free display number)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as numbers:
            number = numbers.readline().strip()
        if not number:
            raise SmokeFailed("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise SmokeFailed(f"the sandbox said nothing within {timeout:.0f} s") from None
