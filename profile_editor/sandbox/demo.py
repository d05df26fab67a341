"""The small demo state the window's and the command line's ``--sandbox`` start with: a few
topics (one REQUIRED) and ``demo-recipient`` with something in every tab, so the first Load shows
a whole recipient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from profile_editor.sandbox.seed import Seed, parse_seed

if TYPE_CHECKING:
    from profile_editor.sandbox.server import SandboxServer

__all__ = ["DEMO_RECIPIENT", "demo_seed", "start_demo_sandbox"]

DEMO_RECIPIENT = "demo-recipient"


def demo_seed(now: datetime | None = None) -> Seed:
    """The demo; its tokens' expiry dates are relative to ``now`` (one soon, one never)."""
    today = (now or datetime.now(UTC)).date()
    return parse_seed(
        {
            "topics": [
                {
                    "topic_id": "weekly-digest",
                    "topic_name": "Weekly digest",
                    "section_id": "news",
                    "section_name": "News",
                    "default_status": "OPTED_IN",
                    "digest_schedules": ["weekly-monday", "weekly-friday"],
                },
                {
                    "topic_id": "product-updates",
                    "topic_name": "Product updates",
                    "section_id": "news",
                    "section_name": "News",
                    "default_status": "OPTED_IN",
                },
                {
                    "topic_id": "promotions",
                    "topic_name": "Promotions",
                    "section_id": "marketing",
                    "section_name": "Marketing",
                    "default_status": "OPTED_OUT",
                },
                {
                    "topic_id": "security-alerts",
                    "topic_name": "Security alerts",
                    "section_id": "account",
                    "section_name": "Account",
                    "default_status": "REQUIRED",
                },
            ],
            "profiles": {
                DEMO_RECIPIENT: {
                    "name": "Ada Demo",
                    "email": "ada@example.com",
                    "phone_number": "+15555550100",
                    "locale": "en-GB",
                }
            },
            "lists": {DEMO_RECIPIENT: ["beta-testers", "newsletter", "release-notes"]},
            "preferences": {
                DEMO_RECIPIENT: [
                    {
                        "topic_id": "weekly-digest",
                        "status": "OPTED_OUT",
                        "digest_schedule_id": "weekly-friday",
                    },
                    {
                        "topic_id": "product-updates",
                        "status": "OPTED_IN",
                        "has_custom_routing": True,
                        "custom_routing": ["email", "inbox"],
                    },
                ]
            },
            "tokens": {
                DEMO_RECIPIENT: [
                    {
                        "token": "fcm-demo-3f9a1c7e2b8d4a6f0e5c9b1a7d3f2e8c",
                        "provider_key": "firebase-fcm",
                        "device": {
                            "app_id": "com.example.app",
                            "platform": "android",
                            "manufacturer": "Google",
                            "model": "Pixel 8",
                        },
                        "expiry_date": (today + timedelta(days=12)).isoformat(),
                        "status": "active",
                    },
                    {
                        "token": "apn-demo-9c2e4b6a8d0f1e3c5a7b9d2f4e6a8c0b",
                        "provider_key": "apn",
                        "device": {"app_id": "com.example.app", "platform": "ios"},
                        "expiry_date": False,
                        "status": "failed",
                        "status_reason": "The device unregistered the app.",
                    },
                ]
            },
            "tenants": {
                DEMO_RECIPIENT: [
                    {"tenant_id": "acme", "profile": {"brand": "acme-dark"}},
                    {"tenant_id": "globex"},
                ]
            },
        },
        "demo seed",
    )


def start_demo_sandbox(data_dir: Path) -> SandboxServer:
    """The sandbox of ``--sandbox``: its database in ``data_dir`` (the window and the command
    line share it), the demo loaded only into one with no topics yet, so what was changed in
    it survives a restart."""
    from profile_editor.sandbox.server import start_sandbox

    data_dir.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox(port=0, db_path=data_dir / "sandbox.sqlite3")
    sandbox.apply_seed(demo_seed(), if_new=True)
    return sandbox
