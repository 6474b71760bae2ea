#!/usr/bin/env bash
# Checks a built Windows installer (./dev windows-installer runs it):
#   tests/windows/check-installer.sh INSTALLER.exe VERSION
# - what is inside (7-Zip reads NSIS installers): the desk, its WebView2 loader, the CLI, the
#   uninstaller;
# - the installer's own version resource (ProductName, FileVersion) and icon;
# - the same for the desk program inside it (tauri-build embeds them from tauri.conf.json and
#   icons/icon.ico), read with mingw-w64's windres.
# Prints the listing and the size; exits non-zero naming the first thing missing.
set -euo pipefail
installer=$1
version=$2
fail() {
  echo "check-installer: $*" >&2
  exit 1
}
[ -f "$installer" ] || fail "no installer at $installer"

echo "contents of $(basename "$installer"):"
7zz l "$installer" | sed -n '/^---/,/^---/p'
listed=$(7zz l -slt "$installer" | sed -n 's/^Path = //p')
for f in tongban-desk.exe WebView2Loader.dll tongban.exe uninstall.exe; do
  grep -qx "$f" <<<"$listed" || fail "$f is not in the installer"
done

# ProductName 通办收件台 as windres prints it.
product='L"\x901a\x529e\x6536\x4ef6\x53f0"'
check_resources() {
  local what=$1 exe=$2 rc
  rc=$(x86_64-w64-mingw32-windres -i "$exe" -O rc 2>/dev/null) || fail "$what: no resources readable"
  grep -q "RT_GROUP_ICON" <<<"$rc" || fail "$what has no icon"
  grep -q "VERSIONINFO" <<<"$rc" || fail "$what has no version resource"
  grep -qF "VALUE \"ProductName\", $product" <<<"$rc" || fail "$what: ProductName is not 通办收件台"
  grep -qE "VALUE \"(FileVersion|ProductVersion)\", \"$version" <<<"$rc" || fail "$what: version is not $version"
  echo "$what: icon and version resource (通办收件台 $version) present"
}
check_resources "the installer" "$installer"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
7zz e -so "$installer" tongban-desk.exe >"$tmp/tongban-desk.exe"
check_resources "tongban-desk.exe" "$tmp/tongban-desk.exe"

bytes=$(stat -c %s "$installer")
echo "installer: $installer"
echo "size: $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))"
