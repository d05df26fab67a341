"""One request to Courier and how it ended: request models (URL, headers, body, preview, cURL),
the client with the SDKs' retries, the transport, the shared session, answers, cancellation and
the sentences that say how a request ended.

Imports: ``core.profile`` and ``core``'s shared modules.
"""
