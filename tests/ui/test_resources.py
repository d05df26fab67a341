"""Icons and the style sheet come from the package (they ship in the wheel)."""

from importlib import resources

from pytestqt.qtbot import QtBot

from profile_editor.ui.common.resources import app_icon, icon, read_text


def test_resources_load_from_the_package(qtbot: QtBot) -> None:
    root = resources.files("profile_editor.resources")
    names = ["send", "load", "cancel", "copy", "add", "remove", "up", "down", "save", "settings"]
    for name in names:
        assert (root / "icons" / f"{name}.svg").is_file(), name
        assert not icon(name).isNull(), name
    assert not app_icon().isNull()
    assert "QLabel#recipientIdHint" in read_text("app.qss")
