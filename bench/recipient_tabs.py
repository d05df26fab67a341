"""The whole recipient on Load: a recipient with 50 topics, 20 device tokens and 100 tenants,
read into the Preferences, Devices and Tenants tabs — time to each tab, and the longest UI stall
(the longest gap between ticks of a 5 ms timer on the UI thread) from the click until every tab
is shown, plus 400 ms. Then each tab's Reload alone, with the same probe.

    QT_QPA_PLATFORM=offscreen python bench/recipient_tabs.py [--runs 5]

The sandbox runs in its own process, seeded with ``--seed``; target: no stall over 50 ms.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from _common import median, sandbox_process

RID = "bench-recipient"
TARGET_MS = 50.0


def make_seed(path: Path) -> None:
    sections = [
        ("news", "News"),
        ("account", "Account"),
        ("product", "Product"),
        ("promo", "Promotions"),
    ]
    topics = []
    for n in range(50):
        sid, sname = sections[n % len(sections)]
        topics.append(
            {
                "topic_id": f"topic-{n:02d}",
                "topic_name": f"Topic {n:02d}",
                "section_id": sid,
                "section_name": sname,
                "default_status": "REQUIRED" if n == 7 else "OPTED_IN",
            }
        )
    seed = {
        "topics": topics,
        "profiles": {RID: {"email": "bench@example.com", "name": "Bench"}},
        "lists": {RID: [f"list-{n}" for n in range(5)]},
        "preferences": {
            RID: [
                {"topic_id": t["topic_id"], "status": "OPTED_OUT" if n % 3 else "OPTED_IN"}
                for n, t in enumerate(topics)
                if t["default_status"] != "REQUIRED"
            ]
        },
        "tokens": {
            RID: [
                {
                    "token": f"token-{n:02d}-" + "x" * 140,
                    "provider_key": ["firebase-fcm", "apn", "expo", "onesignal"][n % 4],
                    "device": {"platform": ["android", "ios", "web"][n % 3], "app_id": f"app.{n}"},
                    "expiry_date": "2999-01-01" if n % 2 else False,
                }
                for n in range(20)
            ]
        },
        "tenants": {
            RID: [
                {"tenant_id": f"tenant-{n:03d}", "profile": {"email": f"b{n}@t{n}.example"}}
                for n in range(100)
            ]
        },
    }
    path.write_text(json.dumps(seed), encoding="utf-8")


def probe(start_action: Callable[[], object], until: Callable[[], bool]) -> tuple[float, float]:
    """Start, run the event loop until ``until()`` (plus 400 ms): (start time, longest stall)."""
    from PySide6.QtCore import QEventLoop, QTimer

    ticks: list[float] = []
    tick = QTimer()
    tick.setInterval(5)
    tick.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(2)
    poll.timeout.connect(lambda: until() and loop.quit())
    tick.start()
    start = time.perf_counter()
    ticks.append(start)
    start_action()
    poll.start()
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    poll.stop()
    settle = QEventLoop()
    QTimer.singleShot(400, settle.quit)
    settle.exec()
    tick.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    return start, max(gaps) * 1000 if gaps else 0.0


def run_once(url: str) -> dict[str, float]:
    from keyring.backends.fail import Keyring as FailKeyring
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QTabWidget, QWidget

    from profile_editor.app import create_main_window

    window = create_main_window(
        base_url=url,
        auth_token="bench-key",
        data_dir=Path(tempfile.mkdtemp()),
        keyring_backend=FailKeyring(),
    )
    assert not isinstance(window, int)
    window.show()
    spin = QEventLoop()
    QTimer.singleShot(500, spin.quit)
    spin.exec()
    # Every tab built (as after a user has looked at each), the Preferences one in front.
    tabs = window.findChild(QTabWidget, "outputTabs")
    for page in ("tenantsPage", "tokensPage", "preferencesPage"):
        tabs.setCurrentWidget(window.findChild(QWidget, page))
    window.request_bar.recipient_edit.setText(RID)
    users = window.users()
    done_at: dict[str, float] = {}
    users.finished.connect(lambda r: done_at.__setitem__(r, time.perf_counter()))

    def all_done() -> bool:
        idle = not users.is_busy() and not window.lists.is_busy() and not window.is_busy()
        return len(done_at) == 3 and idle

    out: dict[str, float] = {}
    # The floor: the same probe over an idle window for as long (the machine's own noise).
    _, out["idle_floor_stall"] = probe(lambda: None, lambda: True)
    start, out["load_stall"] = probe(window.request_bar.load_button.click, all_done)
    assert users.preferences_model.topics(), "preferences not read"
    assert len(users.tokens_model.tokens()) == 20, "tokens not read"
    assert len(users.tenants_model.tenants()) == 100, "tenants not read"
    out["load_ms"] = (max(done_at.values()) - start) * 1000
    for r in ("preferences", "tokens", "tenants"):
        out[f"{r}_ms"] = (done_at[r] - start) * 1000
    for r in ("preferences", "tokens", "tenants"):
        done_at.clear()
        _, out[f"reload_stall_{r}"] = probe(
            partial(users.reload, r), partial(_reloaded, done_at, users, r)
        )
    window.close()
    return out


def _reloaded(done_at: dict[str, float], users: Any, resource: str) -> bool:
    return resource in done_at and not users.is_busy()


def measure(url: str, runs: int) -> dict[str, list[float]]:
    from PySide6.QtWidgets import QApplication

    from profile_editor.ui.common import dialogs

    app = QApplication.instance() or QApplication([])
    dialogs.ask_save_discard_cancel = lambda *a, **k: dialogs.Choice.DISCARD
    results: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, value in run_once(url).items():
            results.setdefault(name, []).append(value)
    del app
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed.json"
        make_seed(seed)
        with sandbox_process("--seed", str(seed)) as (url, _key):
            results = measure(url, args.runs)
    print(f"Recipient with 50 topics, 20 tokens, 100 tenants; {args.runs} runs (median, max)")
    for name, values in results.items():
        unit = "ms"
        print(f"  {name:<28} {median(values):8.1f} {unit}   max {max(values):8.1f} {unit}")
    print("  each run's load stall, in order (the first run is the first Load in the process):")
    print("   ", ", ".join(f"{v:.0f}" for v in results["load_stall"]), "ms")
    worst = max(max(v) for k, v in results.items() if "stall" in k and "floor" not in k)
    verdict = "OK" if worst <= TARGET_MS else "OVER TARGET"
    print(f"  longest UI stall {worst:.1f} ms (target <= {TARGET_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
