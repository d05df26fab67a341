"""Environments: the coloured band, the switcher, keys per environment (keychain reads on workers)
and the Environments dialog.

Imports: ``core``, ``storage``, ``diagnostics``, ``ui.common``, ``ui.request``.
"""
