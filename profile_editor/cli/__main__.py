"""``python -m profile_editor.cli``."""

import sys

from profile_editor.cli.main import main

sys.exit(main())
