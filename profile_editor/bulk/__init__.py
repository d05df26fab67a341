"""Bulk apply: one profile change per row of a CSV or JSONL file, resumable (Qt-free).

``inputs`` reads rows (streamed), ``journal`` records what finished, ``rate`` paces the run,
``runner`` sends rows through the window's send plan and client, ``report`` writes one line per row.
"""
