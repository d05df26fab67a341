"""Checking a 6 MB profile against Courier's known fields, against ``json.loads`` of its text.

    python bench/rules.py [--mb 6] [--runs 9] [--flat]

The profile is the one bench/paste.py pastes (tens of thousands of keys of custom data) with
every well-known field added, some of them wrong, so the checks have work to do; ``--flat``
fills the 6 MB with short values instead, for the most top-level keys (every key name is
compared with the known ones). The target is
an absolute one (well under 100 ms, so it can run as the user types); the ratio against parsing
the same text in the same run says what that is on this machine.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time

from _common import median

from profile_editor.core.profile.changes import compute_changes_to
from profile_editor.core.profile.fields import known_fields
from profile_editor.core.profile.json_patch import preview_patch
from profile_editor.core.profile.rules import check_profile


def make_text(limit: int, *, flat: bool = False) -> tuple[str, int]:
    """The same custom data as bench/paste.py, then every known field (a few of them wrong).

    ``flat``: short string values instead, for as many top-level keys as 6 MB can hold.
    """
    random.seed(7)
    parts, size, i = [], 2, 0
    while size < limit:
        value: object = {
            "email": f"user{i}@example.com",
            "name": "n" * 120,
            "tags": [random.random() for _ in range(12)],
            "active": i % 2 == 0,
        }
        if flat:
            value = f"value-{random.random()}"
        piece = json.dumps(f"key_{i:06d}") + ": " + json.dumps(value, indent=2)
        parts.append(piece)
        size += len(piece) + 4
        i += 1
    known = {f.key: f.skeleton_value() for f in known_fields()}
    known.update(
        email="user@example.com",
        phone_number="555-555-5555",
        locale="en_US",  # a note-worthy mistake
        firebaseToken=[f"token-{n}" for n in range(1000)],
        phone="555",  # a near miss
        apn="device-token",  # the docs' string form
    )
    for key, value in known.items():
        parts.append(json.dumps(key) + ": " + json.dumps(value, indent=2))
    return "{\n  " + ",\n  ".join(parts) + "\n}", i + len(known)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--flat", action="store_true", help="short values: many more keys")
    args = parser.parse_args()
    text, keys = make_text(int(args.mb * 1024 * 1024), flat=args.flat)
    ops = [
        {"op": "replace", "path": "/email", "value": "ann@example.com"},
        {"op": "add", "path": "/firebaseToken/-", "value": "new-token"},
        {"op": "move", "from": "/phone", "path": "/phone_number"},
    ]
    loads, checks, copies, previews = [], [], [], []
    problems = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        profile = json.loads(text)
        loads.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        problems = len(check_profile(profile))
        checks.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        copy.deepcopy(profile)
        copies.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        preview = preview_patch(profile, ops)
        changes = compute_changes_to(profile, preview.result)
        previews.append((time.perf_counter() - start) * 1000)
        assert preview.ok and len(changes.changes) == 4, (preview.failure, changes.changes)
    t_loads, t_check = median(loads), median(checks)
    print(
        f"profile: {len(text.encode()) / 1e6:.1f} MB, {keys:,} top-level keys; {problems} problems"
    )
    print("Median of", args.runs, "runs")
    print(f"  {'json.loads of the text':<40} {t_loads:10.1f} ms")
    print(f"  {'check_profile':<40} {t_check:10.1f} ms   (worst run {max(checks):.1f} ms)")
    verdict = "OK" if t_check < 100 else "OVER TARGET"
    print(f"  ratio {t_check / t_loads:.3f}x of json.loads; target well under 100 ms: {verdict}")
    t_copy, t_preview = median(copies), median(previews)
    print("A 3-op JSON Patch previewed on the same profile, with its change set")
    print(f"  {'copy.deepcopy of the profile':<40} {t_copy:10.1f} ms")
    print(f"  {'preview_patch + compute_changes_to':<40} {t_preview:10.1f} ms")
    print(f"  ratio {t_preview / t_loads:.3f}x of json.loads")


if __name__ == "__main__":
    main()
