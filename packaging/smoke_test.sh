#!/usr/bin/env bash
# End-to-end check of the Linux package (not part of the pytest run):
#   build the bundle and the .deb if needed, install the .deb, run the installed app as a normal
#   user on Xvfb with a tiny model, type, continue, accept and save with xdotool, check the saved
#   file, take screenshots, check that nothing was written inside /opt/aigc-desktop, remove the
#   package and check that nothing is left.
#
#   sudo env PYTHON=.venv/bin/python packaging/smoke_test.sh [--rebuild]
#
# Needs root (it installs a package and creates a user), Debian or Ubuntu, and:
#   apt install xvfb xdotool imagemagick strace
# PYTHON (default python3) must have the project installed with its packaging extra
# (pip install -e '.[packaging]'): it builds the tiny model and, if needed, the bundle.
# Results (screenshots, logs, the saved file) go to build/smoke/ (SMOKE_OUT to change).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
OUT=${SMOKE_OUT:-$ROOT/build/smoke}
XDISPLAY=${SMOKE_DISPLAY:-:98}
SMOKE_USER=${SMOKE_USER:-aigc-smoke}
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -n 1)
ARCH=$(dpkg --print-architecture)
DEB=dist/aigc-desktop_${VERSION}_${ARCH}.deb

step() { echo "== $*"; }
fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root: it installs and removes a .deb"
for tool in Xvfb xdotool import strace apt-get runuser; do
    command -v "$tool" >/dev/null || fail "needs $tool (apt install xvfb xdotool imagemagick strace)"
done
if dpkg -s aigc-desktop >/dev/null 2>&1 && dpkg -s aigc-desktop | grep -q "^Status: install ok installed"; then
    fail "aigc-desktop is already installed; apt remove it first"
fi

if [ "${1:-}" = "--rebuild" ] || [ ! -f "$DEB" ]; then
    step "build (python packaging/build.py --deb)"
    "$PY" packaging/build.py --deb
fi

rm -rf "$OUT"
mkdir -p "$OUT/doc"
step "tiny model"
"$PY" -c "import sys; sys.path.insert(0, 'tests'); from pathlib import Path; from tiny_models import build_tiny_gpt2; build_tiny_gpt2(Path(sys.argv[1]))" \
    "$OUT/tiny-model" >/dev/null 2>&1
chmod -R a+rX "$OUT"

CREATED_USER=0
if ! id "$SMOKE_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$SMOKE_USER"
    CREATED_USER=1
fi
USER_HOME=$(getent passwd "$SMOKE_USER" | cut -d: -f6)
chown "$SMOKE_USER" "$OUT/doc"
# A clean environment: a fresh home (no model cache), offline, as a desktop session would start it.
as_user() {
    runuser -u "$SMOKE_USER" -- env -i HOME="$USER_HOME" USER="$SMOKE_USER" PATH=/usr/local/bin:/usr/bin:/bin \
        LANG=C.UTF-8 HF_HUB_OFFLINE=1 "$@"
}

APP_PID=""
XVFB_PID=""
INSTALLED_HERE=0
cleanup() {
    if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; sleep 1; fi
    if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
    if [ "$INSTALLED_HERE" = 1 ] && dpkg -s aigc-desktop 2>/dev/null | grep -q "^Status: install ok"; then
        echo "(removing the package after the failure)"
        apt-get remove -y aigc-desktop >/dev/null 2>&1 || true
    fi
    if [ "$CREATED_USER" = 1 ]; then
        userdel --remove "$SMOKE_USER" 2>/dev/null || echo "(could not remove the user $SMOKE_USER)"
    fi
}
trap cleanup EXIT

step "install $DEB ($(du -h "$DEB" | cut -f1))"
INSTALLED_HERE=1
apt-get install -y "./$DEB" >"$OUT/apt-install.log" 2>&1 || { cat "$OUT/apt-install.log"; fail "apt install"; }
dpkg -L aigc-desktop >"$OUT/dpkg-L.txt"
INSTALLED=(/opt/aigc-desktop/aigc-desktop /usr/bin/aigc-desktop /usr/share/applications/aigc-desktop.desktop
           /usr/share/metainfo/io.github.aigc_desktop.metainfo.xml
           /usr/share/icons/hicolor/16x16/apps/aigc-desktop.png /usr/share/icons/hicolor/512x512/apps/aigc-desktop.png
           /usr/share/icons/hicolor/scalable/apps/aigc-desktop.svg /usr/share/doc/aigc-desktop/copyright)
for path in "${INSTALLED[@]}"; do
    [ -e "$path" ] || fail "$path was not installed"
    grep -qxF "$path" "$OUT/dpkg-L.txt" || fail "$path is not in dpkg -L aigc-desktop"
done
echo "installed: $(du -sh /opt/aigc-desktop | cut -f1) in /opt/aigc-desktop, $(wc -l <"$OUT/dpkg-L.txt") paths"
touch "$OUT/installed.marker"
sleep 1

step "command line, as $SMOKE_USER"
as_user aigc-desktop --version
as_user aigc-desktop continue --model "$OUT/tiny-model" --temperature 0 "Hello" >"$OUT/cli.out" 2>"$OUT/cli.err" \
    || { cat "$OUT/cli.err"; fail "aigc-desktop continue"; }
[ -s "$OUT/cli.out" ] && [ "$(tr -d '\n' <"$OUT/cli.out")" != "" ] || fail "continue printed nothing"
echo "continuation: $(head -c 80 "$OUT/cli.out")"
if "$PY" -c "import aigc_desktop" 2>/dev/null; then
    "$PY" -m aigc_desktop continue --model "$OUT/tiny-model" --temperature 0 "Hello" >"$OUT/pip.out" 2>/dev/null
    cmp -s "$OUT/cli.out" "$OUT/pip.out" || fail "the installed app and the pip-installed one continue differently"
    echo "same continuation as the pip-installed app"
fi
if as_user aigc-desktop continue "Hello" >"$OUT/no-model.out" 2>"$OUT/no-model.err"; then
    fail "no model available, but continue succeeded"
fi
grep -q "not downloaded yet" "$OUT/no-model.err" || { cat "$OUT/no-model.err"; fail "unclear message without a model"; }
echo "without a model: $(cat "$OUT/no-model.err")"

step "editor on Xvfb $XDISPLAY"
Xvfb "$XDISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do DISPLAY=$XDISPLAY xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.2; done
DOC="$OUT/doc/smoke.txt"
as_user DISPLAY="$XDISPLAY" strace -f -qq -e trace=%file -o "$OUT/doc/strace.log" \
    aigc-desktop --model "$OUT/tiny-model" --temperature 0 "$DOC" >"$OUT/app.log" 2>&1 &
APP_PID=$!
export DISPLAY=$XDISPLAY
WINDOW=$(timeout 120 xdotool search --sync --onlyvisible --name "smoke.txt" | head -n 1) || fail "no window"
xdotool windowmove "$WINDOW" 0 0 windowsize "$WINDOW" 1200 760
# The model has loaded once its weights were opened; give it a moment to finish.
for _ in $(seq 240); do grep -q "tiny-model/model.safetensors" "$OUT/doc/strace.log" && break; sleep 0.5; done
grep -q "tiny-model/model.safetensors" "$OUT/doc/strace.log" || fail "the model was never loaded"
sleep 3
xdotool mousemove 500 300 click 1
sleep 0.5
xdotool type --delay 40 "Hello"
xdotool key ctrl+a
xdotool key ctrl+Return
sleep 3
import -window root "$OUT/suggestion.png"
xdotool key Tab
sleep 0.5
xdotool key ctrl+s
sleep 2
import -window root "$OUT/saved.png"
xdotool key alt+h
sleep 0.5
xdotool key a  # Help > About: the version comes from the bundled package metadata
timeout 20 xdotool search --sync --onlyvisible --name "About aigc-desktop" >/dev/null || fail "no About box"
sleep 1
import -window root "$OUT/about.png"
xdotool key Escape
sleep 0.5
xdotool mousemove 500 300 click 1  # without a window manager nothing has the focus after a dialog
sleep 0.3
xdotool key ctrl+q
for _ in $(seq 60); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$APP_PID" 2>/dev/null; then kill "$APP_PID"; fail "the editor did not quit"; fi
APP_PID=""
[ -f "$DOC" ] || { cat "$OUT/app.log"; fail "the document was not saved"; }
SAVED=$(cat "$DOC")
echo "saved document: $(head -c 100 "$DOC")"
case "$SAVED" in
    Hello?*) ;;
    *) fail "the saved document does not hold Hello plus a continuation: '$SAVED'" ;;
esac
if [ "$SAVED" = "Hello$(tr -d '\n' <"$OUT/cli.out")" ]; then echo "the editor's continuation equals the CLI's"; fi
[ -f "$USER_HOME/.config/aigc-desktop/aigc-desktop.conf" ] || fail "settings not in ~/.config/aigc-desktop/"
echo "settings: $USER_HOME/.config/aigc-desktop/aigc-desktop.conf (as with pip)"

step "no writes inside the install folder"
if grep -E '"/opt/aigc-desktop[^"]*", [^)]*(O_WRONLY|O_RDWR|O_CREAT)|(mkdir|unlink|rename|rmdir)[a-z]*\([^)]*"/opt/aigc-desktop' \
        "$OUT/doc/strace.log" >"$OUT/opt-writes.txt"; then
    head "$OUT/opt-writes.txt"
    fail "the app tried to write inside /opt/aigc-desktop"
fi
CHANGED=$(find /opt/aigc-desktop -newer "$OUT/installed.marker" | head -n 5)
[ -z "$CHANGED" ] || fail "files changed inside /opt/aigc-desktop: $CHANGED"
echo "none (strace: $(wc -l <"$OUT/doc/strace.log") file calls checked)"

step "remove"
apt-get remove -y aigc-desktop >"$OUT/apt-remove.log" 2>&1 || { cat "$OUT/apt-remove.log"; fail "apt remove"; }
INSTALLED_HERE=0
if dpkg -s aigc-desktop 2>/dev/null | grep -q "^Status: install"; then
    fail "still installed: $(dpkg -s aigc-desktop | grep ^Status)"
fi
LEFT=""
while read -r path; do  # every file the package had (shared folders such as /usr/share/icons stay)
    if { [ -e "$path" ] || [ -L "$path" ]; } && [ ! -d "$path" ]; then LEFT="$LEFT $path"; fi
done <"$OUT/dpkg-L.txt"
for folder in /opt/aigc-desktop /usr/share/doc/aigc-desktop; do
    if [ -e "$folder" ]; then LEFT="$LEFT $folder"; fi
done
[ -z "$LEFT" ] || fail "left behind:$LEFT"
[ -z "$(find /usr/share/icons/hicolor -name 'aigc-desktop*' 2>/dev/null)" ] || fail "icons left behind"
echo "nothing left"
echo "SMOKE TEST PASSED (screenshots: $OUT/suggestion.png, $OUT/saved.png, $OUT/about.png)"
