"""What the window knows about profiles: known keys completed with their skeletons, a Problems
list that jumps to each problem, and Patch (JSON Patch ops) previewed, sent and re-opened."""

from __future__ import annotations

import json

import pytest
from driver import WindowDriver  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common import dialogs

# The offscreen platform cannot raise a completion popup or grab the keyboard for it.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)

SEED_PROFILE = {"email": "user@example.com", "phone_number": "555-555-5555"}
ADDRESS = {
    "formatted": "",
    "street_address": "",
    "locality": "",
    "region": "",
    "postal_code": "",
    "country": "",
}


# -- completion -------------------------------------------------------------------------------


def test_the_json_tab_completes_a_top_level_key_and_inserts_its_skeleton(
    window: WindowDriver,
) -> None:
    window.set_json_text('{\n  "email": "a@b.co"\n}')
    window.type_in_json(',\n  "addr', at=len('{\n  "email": "a@b.co"'))
    assert window.json_completions() == ["address"]
    window.accept_json_completion("address")
    assert window.profile() == {"email": "a@b.co", "address": ADDRESS}
    # The cursor waits in the first empty string, ready for the value.
    assert window.json_cursor() == (4, 19)


def test_the_json_tab_completes_nested_keys_of_known_objects(window: WindowDriver) -> None:
    window.set_json_text('{\n  "slack": {\n    "access_token": "xoxb-1"\n  }\n}')
    window.type_in_json(',\n    "ch', at=len('{\n  "slack": {\n    "access_token": "xoxb-1"'))
    assert window.json_completions() == ["channel"]
    window.accept_json_completion("channel")
    assert window.profile() == {"slack": {"access_token": "xoxb-1", "channel": ""}}


def test_a_boolean_skeleton_and_a_comma_before_the_next_key(window: WindowDriver) -> None:
    window.set_json_text('{\n  "email": "a@b.co"\n}')
    window.type_in_json('\n  "email_ver', at=1)
    assert "email_verified" in window.json_completions()
    window.accept_json_completion("email_verified")
    assert window.profile() == {"email_verified": False, "email": "a@b.co"}
    assert list(window.profile() or {}) == ["email_verified", "email"]


def test_ctrl_space_lists_the_known_keys_of_the_object_at_the_cursor(
    window: WindowDriver,
) -> None:
    window.set_json_text('{\n  "address": {\n    \n  }\n}')
    window.type_in_json("", at=len('{\n  "address": {\n    '))
    window.ask_json_completion()
    assert window.json_completions() == [
        "formatted",
        "street_address",
        "locality",
        "region",
        "postal_code",
        "country",
    ]
    window.accept_json_completion("locality")
    assert window.profile() == {"address": {"locality": ""}}


def test_no_completion_inside_a_value(window: WindowDriver) -> None:
    window.set_json_text('{\n  "custom": {"x": "ema"}\n}')
    window.type_in_json("il", at=len('{\n  "custom": {"x": "ema'))
    assert window.json_completions() == []


def test_the_fields_table_completes_keys_and_fills_a_new_row_with_the_skeleton(
    window: WindowDriver,
) -> None:
    window.set_json_text('{"email": "a@b.co"}')
    window.add_field_typing_key("sla")
    assert window.key_cell_completions() == ["slack"]
    window.accept_key_cell_completion("slack")
    assert window.profile() == {"email": "a@b.co", "slack": {"access_token": "", "channel": ""}}

    window.add_field_typing_key("email_verified")
    window.commit_key_cell()
    assert (window.profile() or {})["email_verified"] is False
    assert window.fields_rows()[-1][:2] == ("email_verified", "boolean")

    # An unknown key is just a key: its value stays the empty string.
    window.add_field_typing_key("plan")
    window.commit_key_cell()
    assert (window.profile() or {})["plan"] == ""


# -- problems ---------------------------------------------------------------------------------


def test_the_seed_profile_has_no_problems(window: WindowDriver) -> None:
    window.set_json_text(json.dumps(SEED_PROFILE))
    window.wait_problems(lambda found: found == [])
    assert window.problems_header() == "Problems — none"


def test_warnings_appear_as_typed_and_jump_to_their_key(window: WindowDriver) -> None:
    window.set_json_text(
        '{\n  "email": "user@example.com",\n  "phone": "+15555555555",\n'
        '  "slack": {"channel": "C1"}\n}'
    )
    window.wait_problems(lambda found: len(found) == 2)
    where = {problem[1]: problem for problem in window.problems()}
    assert where["phone"][0] == "Warning" and "phone_number" in where["phone"][2]
    assert where["slack"][0] == "Warning" and "access_token" in where["slack"][2]
    assert window.problems_header() == "Problems — 2 warnings"

    window.show_json_tab()
    window.activate_problem("slack")
    assert window.current_editor_tab() == "JSON"
    assert window.json_cursor() == (4, 3)

    window.show_fields_tab()
    window.activate_problem("phone")
    assert window.current_editor_tab() == "Fields"
    assert window.current_field_key() == "phone"

    # Fixed as typed: the list follows.
    window.set_json_text('{"email": "user@example.com", "phone_number": "+15555555555"}')
    window.wait_problems(lambda found: found == [])


def test_a_json_error_is_listed_with_its_line_and_jumps_there(window: WindowDriver) -> None:
    window.set_json_text('{\n  "email": "a@b.co",\n  "x": tru\n}')
    window.wait_problems(lambda found: len(found) == 1)
    [(severity, where, _message)] = window.problems()
    assert (severity, where) == ("Error", "line 3, column 8")
    window.show_fields_tab()
    window.activate_problem("line 3, column 8")
    assert window.current_editor_tab() == "JSON"
    assert window.json_cursor() == (3, 8)


def test_the_changes_header_counts_the_problems(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", dict(SEED_PROFILE))
    window.load("ada")
    window.wait_changes("leaves the profile")
    assert "·" not in window.changes_summary()
    window.set_json_text(json.dumps({**SEED_PROFILE, "Email": "x@y.z", "email_verified": "yes"}))
    window.wait_changes("<b>Merge</b> changes the stored profile")
    window.wait_changes("· 2 warnings")


def test_warnings_never_block_a_send(window: WindowDriver, sandbox: SandboxServer) -> None:
    window.fill(recipient="ada", profile={"phone": "12"})
    window.wait_problems(lambda found: len(found) >= 1)
    assert window.send().ok
    assert sandbox.get_profile("ada") == {"phone": "12"}


# -- patch ------------------------------------------------------------------------------------


def test_patch_shows_its_own_editor_and_keeps_each_body(window: WindowDriver) -> None:
    window.fill(profile={"email": "a@b.co"})
    window.choose_method("Patch")
    assert window.patch_editor_shown()
    # The Edit menu's undo belongs to the profile, which is not shown now.
    assert not window.can_undo_profile()
    window.set_patch_text('[{"op": "remove", "path": "/email"}]')
    window.choose_method("Merge")
    assert not window.patch_editor_shown()
    assert window.profile() == {"email": "a@b.co"}
    assert window.can_undo_profile()
    window.choose_method("PATCH")
    assert window.patch_text() == '[{"op": "remove", "path": "/email"}]'
    assert window.patch_ops_shown() == [("0", "remove", "/email", "")]


def test_patch_problems_are_listed_by_op_and_jump_to_it(window: WindowDriver) -> None:
    window.fill(recipient="ada", method="Patch")
    window.set_patch_text(
        '[\n  {"op": "add", "path": "/a", "value": 1},\n  {"op": "replace", "path": "b"},\n'
        '  {"op": "frob", "path": "/c"}\n]'
    )
    window.wait_problems(lambda found: len(found) == 3)
    wheres = [where for _severity, where, _message in window.problems()]
    assert wheres == ["op 1, path", "op 1, value", "op 2, op"]
    window.activate_problem("op 2, op")
    assert window.patch_cursor()[0] == 4
    window.click_send()
    assert window.status().startswith("Not sent: Patch, op 1, path")


def test_patch_preview_shows_the_changes_or_the_op_that_would_fail(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", {"email": "a@b.co", "tags": ["x"]})
    window.load("ada")
    window.choose_method("Patch")
    window.set_patch_text(
        '[{"op": "replace", "path": "/email", "value": "c@d.co"},'
        ' {"op": "add", "path": "/locale", "value": "en-US"}]'
    )
    window.wait_changes("<b>Patch</b> changes the stored profile")
    text = window.changes_text()
    assert "1 added, 1 changed, 0 removed, 1 untouched" in text
    assert "~ changed | email" in text and "+ added | locale" in text

    window.set_patch_text(
        '[{"op": "replace", "path": "/email", "value": "c@d.co"},'
        ' {"op": "remove", "path": "/phone_number"}]'
    )
    window.wait_changes("The patch would fail")
    assert "op 1 (remove /phone_number)" in window.changes_summary()
    # Listed with the problems too, and sending stays allowed (Courier refuses it whole).
    window.wait_problems(lambda found: [where for _s, where, _m in found] == ["op 1"])
    [(severity, _where, message)] = window.problems()
    assert severity == "Warning" and "path not found" in message


def test_what_a_patch_leaves_in_the_keys_it_changes_is_checked(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    # The stored profile's own near miss (`phone`) is not the patch's business.
    sandbox.put_profile("ada", {**SEED_PROFILE, "phone": "1"})
    window.load("ada")
    window.choose_method("Patch")
    window.set_patch_text(
        '[\n  {"op": "replace", "path": "/email", "value": "c@d.co"},\n'
        '  {"op": "add", "path": "/email_verified", "value": "yes"}\n]'
    )
    window.wait_problems(lambda found: [where for _s, where, _m in found] == ["email_verified"])
    [(severity, _where, message)] = window.problems()
    assert severity == "Warning" and message.startswith("after the patch: ")
    window.activate_problem("email_verified")
    assert window.patch_cursor()[0] == 3
    window.wait_changes("· 1 warning")


def test_patch_is_sent_and_verified_against_the_preview(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", dict(SEED_PROFILE))
    window.load("ada")
    window.choose_method("Patch")
    window.set_patch_text(
        '[{"op": "add", "path": "/email_verified", "value": true},'
        ' {"op": "remove", "path": "/phone_number"}]'
    )
    window.wait_changes("<b>Patch</b>")
    outcome = window.send()
    assert outcome.ok
    assert sandbox.get_profile("ada") == {"email": "user@example.com", "email_verified": True}
    window.wait_status("verified")
    assert "MISMATCH" not in window.status()
    [request] = [r for r in sandbox.requests() if r.method == "PATCH"]
    assert json.loads(request.body)["patch"] == [
        {"op": "add", "path": "/email_verified", "value": True},
        {"op": "remove", "path": "/phone_number"},
    ]


def test_a_patch_from_history_reopens_in_the_patch_editor(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    sandbox.put_profile("ada", dict(SEED_PROFILE))
    ops = [{"op": "replace", "path": "/email", "value": "new@example.com"}]
    window.fill(recipient="ada", method="Patch")
    window.set_patch_text(json.dumps(ops))
    assert window.send().ok
    window.choose_method("Merge")
    window.set_patch_text("[]")
    window.fill(recipient="other")
    window.reopen_history(0)
    assert window.method() == "PATCH"
    assert window.recipient() == "ada"
    assert window.patch_editor_shown()
    assert json.loads(window.patch_text()) == ops


def test_a_patch_preset_keeps_its_ops_and_an_edited_patch_is_unsaved(
    window: WindowDriver,
) -> None:
    ops = [{"op": "add", "path": "/locale", "value": "en-GB"}]
    window.fill(recipient="ada", method="Patch")
    window.set_patch_text(json.dumps(ops))
    path = window.save_preset("Locale patch")
    assert not window.is_dirty()
    window.set_patch_text("[]")
    assert window.is_dirty()
    window.dialogs.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    window.new_preset()
    assert window.method() == "POST" and window.patch_text() == "[]"
    window.open_preset(path)
    assert window.method() == "PATCH"
    assert json.loads(window.patch_text()) == ops
    assert not window.is_dirty()


def test_copy_as_curl_then_paste_curl_gives_back_the_patch(window: WindowDriver) -> None:
    ops = [{"op": "replace", "path": "/email", "value": "o'brien@example.com"}]
    window.fill(recipient="ada", method="Patch")
    window.set_patch_text(json.dumps(ops))
    command = window.copy_curl()
    assert "-X PATCH" in command or "--request PATCH" in command
    window.set_patch_text("[]")
    window.choose_method("Merge")
    window.dialogs.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    window.paste_curl(command)
    assert window.method() == "PATCH"
    assert window.patch_editor_shown()
    assert json.loads(window.patch_text()) == ops
