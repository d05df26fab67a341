"""``profile-editor-cli``: the window's engine on the command line (Qt-free)."""
