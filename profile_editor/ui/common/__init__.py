"""What every window feature uses: the palette, the dialogs seam, icons and the style sheet, and
typed background jobs.

Imports: ``core`` only, of this project; no other ui package.
"""
