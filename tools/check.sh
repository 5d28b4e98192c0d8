#!/usr/bin/env bash
# Builds the package and runs R CMD check on it, with the whole test suite
# (NOT_CRAN=true) and the vignettes. Fails on any ERROR or WARNING.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
Rscript "$here/tools/install-deps.R"
work=$(mktemp -d)
cd "$work"
R CMD build "$here"
tarball=$(ls smem_*.tar.gz)
status=0
NOT_CRAN=true _R_CHECK_FORCE_SUGGESTS_=true R CMD check --no-manual "$tarball" || status=$?
log=smem.Rcheck/00check.log
if [ -f smem.Rcheck/tests/testthat.Rout.fail ]; then
  tail -n 80 smem.Rcheck/tests/testthat.Rout.fail
fi
if [ "$status" -ne 0 ] || grep -qE "^Status: .*(ERROR|WARNING)" "$log"; then
  echo "R CMD check failed (see $work/$log)" >&2
  exit 1
fi
grep -E "^Status:" "$log"
# the check directory is kept only when the check failed
cd "$here"
rm -rf "$work"
