"""``--version``: one version, from the package metadata, on all three commands."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

import profile_editor
from profile_editor import version as version_module
from profile_editor.app import main as app_main
from profile_editor.cli.main import main as cli_main
from profile_editor.sandbox.__main__ import main as sandbox_main
from profile_editor.version import version

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("main", "prog"),
    [
        (app_main, "profile-editor"),
        (cli_main, "profile-editor-cli"),
        (sandbox_main, "profile-editor-sandbox"),
    ],
)
def test_every_command_prints_the_same_version(
    main: object, prog: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert callable(main)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code in (0, None)
    assert capsys.readouterr().out == f"{prog} {version()}\n"


def test_the_version_is_the_installed_metadata() -> None:
    assert version() == importlib.metadata.version("profile-editor")


def test_without_metadata_the_package_says(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert version_module.version() == profile_editor.__version__


def test_pyproject_takes_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "profile_editor.__version__"}
