import json
import shlex

from profile_editor import __version__
from profile_editor.core.http.models import Method, ProfileRequest, mask_key

KEY = "sk_live_abcdefghijklmnop1234"


def request(**kw: object) -> ProfileRequest:
    base = {
        "base_url": "https://api.courier.com/",
        "recipient_id": "a/b?c#d",
        "profile": {"email": "x@y.z"},
    }
    base.update(kw)
    return ProfileRequest(**base)


def test_wire_format_for_merge() -> None:
    r = request(idempotency_key="abc")
    assert r.url == "https://api.courier.com/profiles/a%2Fb%3Fc%23d"
    assert r.method is Method.POST
    assert json.loads(r.body_bytes() or b"") == {"profile": {"email": "x@y.z"}}
    assert r.headers(KEY) == {
        "Accept": "application/json",
        "User-Agent": f"profile-editor/{__version__}",
        "Authorization": f"Bearer {KEY}",
        "Content-Type": "application/json",
        "Idempotency-Key": "abc",
    }


def test_delete_and_get_have_no_body() -> None:
    assert request(method="DELETE").body_bytes() is None
    assert "Content-Type" not in request(method="GET").headers(KEY)


def test_replace_sends_profile_and_empty_profile_is_allowed() -> None:
    assert json.loads(request(method="PUT", profile={}).body_bytes() or b"") == {"profile": {}}


def test_preview_masks_the_key() -> None:
    text = request().preview(KEY)
    assert KEY not in text
    assert "Authorization: Bearer ****1234" in text
    assert text.startswith("POST https://api.courier.com/profiles/a%2Fb%3Fc%23d")
    assert mask_key("short") == "****"


def test_preview_of_a_huge_body_is_cut() -> None:
    profile = {f"k{i}": "v" * 100 for i in range(5000)}
    text = request(profile=profile).preview(KEY)
    assert len(text) < 25_000 and "too long to show" in text


def test_curl_references_the_env_var_and_never_the_key() -> None:
    r = request(profile={"name": "O'Brien"}, idempotency_key="abc")
    curl = r.to_curl()
    assert KEY not in curl
    assert '"Authorization: Bearer $COURIER_API_KEY"' in curl
    tokens = shlex.split(curl.replace("\\\n", " "))
    assert tokens[:3] == ["curl", "--request", "POST"]
    assert json.loads(tokens[tokens.index("--data-raw") + 1]) == {"profile": {"name": "O'Brien"}}
    assert "https://api.courier.com/profiles/a%2Fb%3Fc%23d" in tokens
