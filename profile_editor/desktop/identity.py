"""The names the app goes by on the desktop (kept apart so start-up imports nothing else)."""

APP_ID = "profile-editor"  # desktop file name, icon name and executable name
APP_NAME = "Profile Editor"
# Qt uses it for per-application paths on some platforms; the app keeps its own files under the
# data directory, so it only has to be stable.
ORGANIZATION_DOMAIN = "profile-editor.local"
ORGANIZATION_NAME = "profile-editor"
