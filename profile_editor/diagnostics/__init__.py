"""What the app records about itself: the log (keys masked) and what happens on an unexpected error.

Qt-free; the dialog and Qt's message handler live in ``profile_editor.ui``.
"""
