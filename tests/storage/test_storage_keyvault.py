"""KeyVault with no usable keychain (session memory) and with a real file keychain."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from profile_editor.storage.secrets import KeyVault

KEY = "pk_prod_VAULT-KEY-0123456789"


@pytest.fixture
def plaintext_backend(tmp_path: Path) -> KeyringBackend:
    file_module = pytest.importorskip("keyrings.alt.file")
    backend = file_module.PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    assert isinstance(backend, KeyringBackend)
    return backend


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_keychain_keeps_keys_in_memory(
    backend: KeyringBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    vault = KeyVault(backend=backend)
    assert not vault.persistent
    assert "only until" in vault.reason
    assert vault.get("Production") is None
    vault.set("Production", KEY)
    assert vault.get("Production") == KEY
    assert vault.get("EU") is None
    vault.delete("Production")
    assert vault.get("Production") is None
    vault.delete("Production")
    assert KEY not in caplog.text
    # A second vault (a restart) does not know the key: nothing was stored anywhere.
    vault.set("Production", KEY)
    assert KeyVault(backend=backend).get("Production") is None


def test_file_keychain_persists(plaintext_backend: KeyringBackend) -> None:
    vault = KeyVault(service="profile-editor-test", backend=plaintext_backend)
    assert vault.persistent and vault.reason == ""
    assert "PlaintextKeyring" in vault.backend_name
    assert vault.get("Production") is None
    vault.set("Production", KEY)
    vault.set("EU", "eu-key")
    assert vault.get("Production") == KEY

    fresh_backend = type(plaintext_backend)()
    fresh_backend.file_path = plaintext_backend.file_path  # type: ignore[attr-defined]
    restarted = KeyVault(service="profile-editor-test", backend=fresh_backend)
    assert restarted.get("Production") == KEY
    assert restarted.get("EU") == "eu-key"
    assert KeyVault(service="other-app", backend=fresh_backend).get("Production") is None

    restarted.delete("Production")
    restarted.delete("Production")  # nothing left to delete: fine
    assert vault.get("Production") is None
    assert vault.get("EU") == "eu-key"
    assert vault.persistent


def test_empty_key_deletes(plaintext_backend: KeyringBackend) -> None:
    vault = KeyVault(backend=plaintext_backend)
    vault.set("Production", KEY)
    vault.set("Production", "")
    assert vault.get("Production") is None


def test_keychain_failing_on_use_falls_back_to_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file_module = pytest.importorskip("keyrings.alt.file")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    backend = file_module.PlaintextKeyring()
    backend.file_path = str(blocker / "keyring_pass.cfg")  # its folder is a file: writes fail
    caplog.set_level(logging.DEBUG)

    vault = KeyVault(backend=backend)
    assert vault.reason == ""
    vault.set("Production", KEY)
    assert not vault.persistent
    assert "failed" in vault.reason and KEY not in vault.reason
    assert vault.get("Production") == KEY
    assert KEY not in caplog.text
    assert blocker.read_text() == ""


def test_environment_name_required() -> None:
    vault = KeyVault(backend=null.Keyring())
    with pytest.raises(ValueError):
        vault.set(" ", KEY)
    with pytest.raises(ValueError):
        vault.get("")


def test_default_backend_comes_from_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_keyring", null.Keyring)
    assert not KeyVault().persistent

    def broken() -> KeyringBackend:
        raise RuntimeError("no D-Bus")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    vault = KeyVault()
    assert not vault.persistent and "No system keychain" in vault.reason
    vault.set("EU", KEY)
    assert vault.get("EU") == KEY
