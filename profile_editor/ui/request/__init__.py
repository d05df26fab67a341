"""Sending and loading: the request bar, the flow (refusals, confirmations), the controller that
owns the HTTP client, what a request shows while it runs and after, the Changes view and its
previewer, the output tabs, the status line and Paste cURL.

Imports: ``core``, ``storage``, ``diagnostics``, ``ui.common`` and the feature packages it shows
(``editor``, ``environments``, ``lists``, ``presets``).
"""
