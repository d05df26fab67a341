"""What the CLI tests share besides fixtures (a module of its own: test files never import conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Distinctive, so a test can look for it in every output and file.
TEST_KEY = "cli-test-key-5d9e1c7a"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


RunCli = Callable[..., Result]
