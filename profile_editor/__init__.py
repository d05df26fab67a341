"""Profile Editor: look at, edit and send Courier recipient profiles."""

import os

# The release version (pyproject.toml reads it; a standalone build built on a release tag
# uses the tag).
__version__ = "0.1.0"

# pydantic looks for plugins in the entry points of every installed distribution when the first
# model is built (about 30 ms of start-up for the window and the command line). This app uses
# none; set the variable to something else to have them loaded anyway.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
