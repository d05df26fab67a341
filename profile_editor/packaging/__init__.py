"""The standalone build: ``python -m profile_editor.packaging build`` (and ``smoke``).

Qt-free (it drives PyInstaller in a child process and never imports Qt itself); it may import
``desktop`` (the app's names and its desktop entry) and ``version``. Needs the ``build`` extra:
``pip install -e '.[build]'``. docs/packaging.md says why PyInstaller, what the folder holds, and
what a Windows or macOS build does.
"""
