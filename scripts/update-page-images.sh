#!/usr/bin/env bash
# Writes the reference page images under tests/page-images/ anew, on purpose: after a
# change to the dossier's layout or wording that is meant. tests/page_images.rs renders
# the pages and, with HANDOVER_UPDATE_PAGE_IMAGES set, saves them instead of comparing.
# Look at every changed PNG before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f tests/page-images/*.png
HANDOVER_UPDATE_PAGE_IMAGES=1 cargo test --release --locked --test tests -- page_images:: --skip a_page_moved
cargo test --release --locked --test tests -- page_images::
ls -l tests/page-images/
git status --short tests/page-images/
