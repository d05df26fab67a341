"""What every window feature uses: the palette, the dialogs seam, icons and the style sheet,
typed background jobs, and pacing a widget's showings to one a frame.

Imports: ``core`` only, of this project; no other ui package.
"""
