#!/usr/bin/env bash
# Install the Debian packages a target needs. As root: apt-get; otherwise print the exact line.
# Usage: scripts/system-deps.sh run|test
set -euo pipefail

# run: Python, gettext, Tesseract with German/English data and orientation detection (letters, faxes),
# DejaVu for invoice-copy PDFs (umlauts and "€"; without it the PDF falls back to a core font).
RUN_PACKAGES=(python3-venv gettext tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd
  fonts-dejavu-core)
# test: + real servers and the browser the suite starts on loopback: PostgreSQL, Dovecot (IMAP),
# Debian's Chromium (Playwright drives it; no browser download), a font for rendered test letters.
TEST_PACKAGES=("${RUN_PACKAGES[@]}" postgresql dovecot-imapd chromium)

case "${1:-test}" in
  run) wanted=("${RUN_PACKAGES[@]}") ;;
  test) wanted=("${TEST_PACKAGES[@]}") ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing Debian packages. Please run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
