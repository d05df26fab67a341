"""What every window feature uses: the palette, the dialogs seam, icons and the style sheet,
typed background jobs, pacing a widget's showings to one a frame, and a label whose new text
lays nothing out.

Imports: ``core`` only, of this project; no other ui package.
"""
