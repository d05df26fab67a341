"""Qt-free persistence: presets, environments and their keys, send history.

Import the modules themselves (``storage.presets``, ``storage.secrets``, …): the package does not
re-export them, so that loading one does not pull in the others (keyring is slow to import).
"""
