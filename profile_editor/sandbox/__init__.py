"""A local Courier profiles API for development, QA and benchmarks; see :mod:`.server`."""

from profile_editor.sandbox.models import Fault, RecordedRequest
from profile_editor.sandbox.server import DEFAULT_KEY, SandboxServer, start_sandbox

__all__ = ["DEFAULT_KEY", "Fault", "RecordedRequest", "SandboxServer", "start_sandbox"]
