#!/bin/sh
# Regenerates the app icons from one master drawing. Needs ImageMagick (/usr/bin/convert),
# fonts-noto-cjk, and `npm install` in ../ui (for @tauri-apps/cli). Every PNG must be RGBA.
set -eu
cd "$(dirname "$0")"
/usr/bin/convert -size 1024x1024 xc:none \
  -fill '#C8102E' -draw "roundrectangle 64,64 959,959 190,190" \
  -fill none -stroke 'rgba(255,255,255,0.55)' -strokewidth 14 -draw "roundrectangle 120,120 903,903 140,140" \
  -stroke none -fill white -font Noto-Sans-CJK-SC-Bold -pointsize 560 -gravity center -annotate +0+8 '通' \
  PNG32:master.png
(cd ../ui && npm exec -- tauri icon ../icons/master.png -o ../icons)
rm -rf android ios              # desktop only
cp 64x64.png ../ui/src/assets/logo.png
cp 32x32.png ../ui/public/favicon.png
touch ../src-tauri/tauri.conf.json  # a replaced icon alone does not trigger a rebuild
