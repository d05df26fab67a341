"""Run Courier's own generated SDK tests for users' preferences, tokens and tenants against the
sandbox, end to end.

    .venv/bin/python tools/sdk_users_peer.py [--sdist FILE] [--venv DIR]

1. Gets the trycourier source distribution (``pip download trycourier==VERSION --no-binary
   :all: --no-deps``) unless ``--sdist`` names one, and unpacks it in a temporary folder.
2. Un-skips ``tests/api_resources/users/`` there (each test carries
   ``@pytest.mark.skip(reason="Mock server tests are disabled")``): only that copy changes.
3. Starts the sandbox on a free loopback port with the SDK tests' key ("My API Key") and the
   seed ``tests/peer/courier_sdk_users_seed.json`` (the literal IDs the tests use).
4. Runs the tests with ``TEST_API_BASE_URL`` at the sandbox, in a separate virtual environment
   holding the SDK and its test dependencies (``--venv``, made when missing; the app's own
   environment is not touched), and prints the command and the counts.

Exit status 0 when every test passes except the EXPECTED_FAILURES below (each named with why a
faithful server must fail it), 1 otherwise. Needs the network the first time (the sdist and the
SDK's dependencies).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from profile_editor.sandbox.seed import load_seed  # noqa: E402
from profile_editor.sandbox.server import start_sandbox  # noqa: E402

VERSION = "9.13.0"
SEED = ROOT / "tests" / "peer" / "courier_sdk_users_seed.json"
SDK_KEY = "My API Key"  # what the SDK's tests/conftest.py sends
# The SDK's test dependencies, and its aiohttp extra (the async tests also run on aiohttp).
TEST_DEPS = [
    "pytest",
    "pytest-asyncio",
    "dirty-equals",
    "respx",
    "time-machine",
    "aiohttp",
    "httpx_aiohttp>=0.1.9",
]
# Tests that send placeholder values Courier's own API reference says are rejected, so a
# faithful server answers 400 (the generated tests were written for a mock that checks
# nothing): each variant (sync/async, loose/strict, httpx/aiohttp) of these fails, and must.
EXPECTED_FAILURES = {
    "test_tenants.py::test_method_list_with_all_params": (
        'cursor="cursor" is not a cursor the server issued, and limit=0 is outside 1..100'
    ),
    "test_tokens.py::test_method_add_single_with_all_params": (
        'expiry_date="string" is not a date ("an unparseable date is a 400, never no expiry")'
    ),
}
_SKIP = re.compile(r'^\s*@pytest\.mark\.skip\(reason="Mock server tests are disabled"\)\s*\n', re.M)


def _run(command: list[str], **kwargs: object) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def fetch_sdist(folder: Path) -> Path:
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"trycourier=={VERSION}",
            "--no-binary",
            ":all:",
            "--no-deps",
            "--quiet",
            "-d",
            str(folder),
        ]
    )
    return next(folder.glob("trycourier-*.tar.gz"))


def make_venv(venv: Path, sdist: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", str(sdist), *TEST_DEPS])
    return python


def unskip(tests: Path) -> int:
    """Remove the skip marker from each users test in this copy; how many were removed."""
    removed = 0
    for path in sorted(tests.glob("test_*.py")):
        text, count = _SKIP.subn("", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        removed += count
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, help="a trycourier sdist (else downloaded)")
    parser.add_argument(
        "--venv",
        type=Path,
        default=Path(tempfile.gettempdir()) / "courier-sdk-peer-venv",
        help="environment for the SDK and its test dependencies (made when missing)",
    )
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest (e.g. -k tokens)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="courier-sdk-") as scratch:
        work = Path(scratch)
        sdist = args.sdist or fetch_sdist(work)
        python = make_venv(args.venv, sdist)
        with tarfile.open(sdist) as archive:
            archive.extractall(work, filter="data")
        source = next(p for p in work.iterdir() if p.is_dir() and p.name.startswith("trycourier-"))
        users_tests = source / "tests" / "api_resources" / "users"
        print(f"un-skipped {unskip(users_tests)} tests in {users_tests}", flush=True)
        report = work / "report.xml"
        with start_sandbox(port=0, key=SDK_KEY, seed=load_seed(SEED)) as sandbox:
            command = [
                str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "--tb=line",
                "-o", "addopts=",  # the sdist's own addopts wants pytest-xdist
                f"--junitxml={report}", "tests/api_resources/users", *args.pytest_args,
            ]  # fmt: skip
            env = {**os.environ, "TEST_API_BASE_URL": sandbox.url}
            print(f"$ TEST_API_BASE_URL={sandbox.url} {' '.join(command)}", flush=True)
            subprocess.run(command, cwd=source, env=env, check=False)
        return summarize(report)


def summarize(report: Path) -> int:
    """Counts per outcome, each failure sorted into expected or not; 0 if none unexpected."""
    counts: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    unexpected: list[str] = []
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            counts["skipped" if case.find("skipped") is not None else "passed"] += 1
            continue
        counts["failed"] += 1
        module = case.get("classname", "").split(".")[-2] + ".py"
        name = f"{module}::{case.get('name', '').split('[')[0]}"
        if name in EXPECTED_FAILURES:
            expected[name] += 1
        else:
            unexpected.append(f"{case.get('classname')}::{case.get('name')}")
    print(f"\n{sum(counts.values())} tests: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    for name, count in expected.items():
        print(f"  {count} expected failures of {name}: {EXPECTED_FAILURES[name]}")
    for name in unexpected:
        print(f"  UNEXPECTED failure: {name}")
    return 1 if unexpected or not counts["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
