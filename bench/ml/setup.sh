#!/usr/bin/env bash
# Installs the Python peers of bench/ml from Debian: scikit-learn, XGBoost (the same libxgboost0
# that Sluice links), pandas, and OpenBLAS for numpy/scipy (without it Debian's numpy runs on the
# single-threaded reference BLAS, which would handicap scikit-learn). Idempotent: does nothing
# when /usr/bin/python3 imports them and OpenBLAS is installed.
#
# python3-sklearn and python3-xgboost depend on python3-scipy, which depends on python3-pythran,
# which depends on libboost-dev (Boost 1.74 in bookworm); that conflicts with the project's
# libboost1.81-dev. A local dummy package, sluice-boost-dev-alias, provides libboost-dev and
# depends on libboost1.81-dev, so pythran's dependency is met by the 1.81 headers already here.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

if /usr/bin/python3 -c 'import sklearn, xgboost, pandas' 2>/dev/null &&
  installed libopenblas0-pthread; then
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
apt_get() {
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 -y -q "$@"
}

apt_get update >/dev/null

if ! installed sluice-boost-dev-alias; then
  work=$(mktemp -d /tmp/sluice-boost-alias-XXXXXX)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/pkg/DEBIAN"
  cat >"$work/pkg/DEBIAN/control" <<'CONTROL'
Package: sluice-boost-dev-alias
Version: 1.81.0
Architecture: all
Maintainer: Sluice bench <bench@sluice.invalid>
Provides: libboost-dev (= 1.81.0)
Depends: libboost1.81-dev
Section: libdevel
Priority: optional
Description: Boost 1.81 headers stand in for libboost-dev
 Lets python3-pythran (needed by python3-scipy, hence scikit-learn and
 XGBoost's Python package) install beside libboost1.81-dev, which Sluice
 builds with and which conflicts with Debian's default libboost-dev (1.74).
 The Boost 1.81 headers stand in for pythran's dependency. Contains no files.
CONTROL
  chmod 755 "$work/pkg" "$work/pkg/DEBIAN"
  chmod 644 "$work/pkg/DEBIAN/control"
  dpkg-deb --root-owner-group --build "$work/pkg" "$work/sluice-boost-dev-alias_1.81.0_all.deb" \
    >/dev/null
  # apt (running as _apt) must be able to read the file.
  chmod 755 "$work"
  chmod 644 "$work/sluice-boost-dev-alias_1.81.0_all.deb"
  apt_get install --no-install-recommends "$work/sluice-boost-dev-alias_1.81.0_all.deb" >/dev/null
fi

# libopenblas0-pthread becomes the system's libblas.so.3 / liblapack.so.3 (update-alternatives).
apt_get install --no-install-recommends python3-sklearn python3-xgboost python3-pandas \
  libopenblas0-pthread >/dev/null
/usr/bin/python3 -c 'import sklearn, xgboost, pandas'
