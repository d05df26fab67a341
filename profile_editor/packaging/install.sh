#!/bin/sh
# Install Profile Editor for this user, from the unpacked standalone folder:
#   ./install.sh              the app in ~/.local/lib/profile-editor, its three commands linked
#                             into ~/.local/bin, a launcher and an icon in the applications menu
#   ./install.sh --uninstall  remove all of that again (presets, history and settings stay in
#                             ~/.local/share/profile-editor)
# PREFIX moves ~/.local; XDG_DATA_HOME is honoured for the launcher and the icon.
set -eu

app_id=profile-editor
commands="profile-editor profile-editor-cli profile-editor-sandbox"
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
prefix=${PREFIX:-$HOME/.local}
case ${XDG_DATA_HOME:-} in
    /*) data_home=$XDG_DATA_HOME ;;
    *) data_home=$HOME/.local/share ;;  # unset, empty or relative: the spec's default
esac
app_dir=$prefix/lib/$app_id
bin_dir=$prefix/bin
desktop_file=$data_home/applications/$app_id.desktop
icon_file=$data_home/icons/hicolor/scalable/apps/$app_id.svg

refresh_menus() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data_home/applications" 2>/dev/null || true
    fi
}

uninstall() {
    for name in $commands; do
        link=$bin_dir/$name
        # Only the links this script made: another installation's commands are not ours.
        if [ -L "$link" ] && [ "$(readlink "$link")" = "$app_dir/$name" ]; then
            rm -f "$link"
        fi
    done
    rm -f "$desktop_file" "$icon_file"
    rm -rf "$app_dir"
    refresh_menus
    echo "Removed Profile Editor from $app_dir and the applications menu."
    echo "Presets, history and settings were left in your data folder (${data_home}/$app_id)."
}

install() {
    case $app_dir in
        *[\"\`\$\\]*) echo "install.sh: cannot install into $app_dir (a \", \`, \$ or \\ in the path)" >&2; exit 2 ;;
    esac
    for name in $commands; do
        if [ ! -x "$here/$name" ]; then
            echo "install.sh: $here/$name is missing: run install.sh from the unpacked folder." >&2
            exit 2
        fi
    done
    if [ "$here" != "$(mkdir -p "$app_dir" && CDPATH='' cd -- "$app_dir" && pwd -P)" ]; then
        # Copied beside the old one first, then swapped: a failed copy leaves the old one working.
        rm -rf "$app_dir.new"
        cp -R "$here" "$app_dir.new"
        rm -rf "$app_dir"
        mv "$app_dir.new" "$app_dir"
    fi

    mkdir -p "$bin_dir"
    for name in $commands; do
        link=$bin_dir/$name
        if [ -e "$link" ] && ! { [ -L "$link" ] && [ "$(readlink "$link")" = "$app_dir/$name" ]; }; then
            echo "Left $link alone (another installation?): start this one as $app_dir/$name."
            continue
        fi
        ln -sfn "$app_dir/$name" "$link"
    done

    mkdir -p "$(dirname -- "$desktop_file")" "$(dirname -- "$icon_file")"
    cp "$app_dir/$app_id.svg" "$icon_file"
    sed -e "s|^Exec=.*|Exec=\"$app_dir/$app_id\"|" -e "s|^TryExec=.*|TryExec=$app_dir/$app_id|" \
        "$app_dir/$app_id.desktop" >"$desktop_file.new"
    mv "$desktop_file.new" "$desktop_file"
    refresh_menus

    echo "Installed Profile Editor in $app_dir"
    echo "  commands:  $bin_dir/profile-editor, profile-editor-cli, profile-editor-sandbox"
    echo "  menu:      $desktop_file"
    case :$PATH: in
        *:"$bin_dir":*) ;;
        *) echo "  $bin_dir is not on your PATH: add it, or start $app_dir/$app_id" ;;
    esac
    echo "Remove it with: $app_dir/install.sh --uninstall"
}

case ${1:-} in
    "") install ;;
    --uninstall) uninstall ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) echo "install.sh: unknown option $1 (use --uninstall, or nothing to install)" >&2; exit 2 ;;
esac
