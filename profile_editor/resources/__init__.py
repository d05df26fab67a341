"""Icons and the stylesheet; shipped inside the wheel as ``profile_editor.resources``."""
