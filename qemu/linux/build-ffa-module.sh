#!/bin/sh
# Builds Linux's FF-A driver (drivers/firmware/arm_ffa, not enabled in Debian's kernel) as an
# out-of-tree module for the kernel fetch.sh fetched, plus our ffa-mm-probe module, and leaves
# build/linux/ffa-module.ko and build/linux/ffa-mm-probe.ko. Cached: does nothing when both exist.
# With apt, at the version of the kernel package: linux-headers-<ver>-arm64 (its .config and
# Module.symvers, so vermagic and modversions match) and -common, linux-kbuild for this host
# (modpost, fixdep... as host programs), linux-source (only the driver's directory is unpacked),
# and the cross compiler gcc-aarch64-linux-gnu on a non-arm64 host. Needs root, after fetch.sh.
set -eu
out=${1:-build/linux}
here=$(cd "$(dirname "$0")" && pwd)
if [ -s "$out/ffa-module.ko" ] && [ -s "$out/ffa-mm-probe.ko" ]; then exit 0; fi
apt="apt-get -q -o APT::Sandbox::User=root"
release=$(cat "$out/version")                       # 6.1.0-57-arm64
kernel_deb=$(ls "$out"/debs/linux-image-"$release"_*.deb 2>/dev/null | head -n 1)
if [ -n "$kernel_deb" ]; then
    version=$(dpkg-deb -f "$kernel_deb" Version)    # 6.1.192-3
else
    version=$(apt-cache show "linux-image-$release:arm64" | sed -n 's/^Version: //p' | head -n 1)
fi
series=$(echo "$release" | cut -d. -f1-2)           # 6.1
cross=
if [ "$(dpkg --print-architecture)" != arm64 ]; then
    cross=aarch64-linux-gnu-
    command -v ${cross}gcc >/dev/null || $apt install -y gcc-aarch64-linux-gnu >/dev/null
fi
command -v make >/dev/null || $apt install -y make >/dev/null
work="$out/ffa-build"
rm -rf "$work"
mkdir -p "$work/debs" "$work/root" "$work/src"
echo "build-ffa-module.sh: linux-headers-$release, linux-kbuild-$series, linux-source-$series ($version)"
(cd "$work/debs" && $apt download "linux-headers-$release:arm64=$version" \
    "linux-headers-${release%-arm64}-common=$version" "linux-kbuild-$series=$version" \
    "linux-source-$series=$version" >/dev/null)
for deb in "$work"/debs/linux-headers-*.deb "$work"/debs/linux-kbuild-*.deb; do
    dpkg-deb -x "$deb" "$work/root"
done
# Only the driver's directory of the source tarball.
dpkg-deb --fsys-tarfile "$work"/debs/linux-source-*.deb \
    | tar -xO "./usr/src/linux-source-$series.tar.xz" \
    | tar -xJ -C "$work/src" "linux-source-$series/drivers/firmware/arm_ffa"
headers="$(cd "$work/root/usr/src/linux-headers-$release" && pwd)"
# Its Makefile includes the common tree by its installed path; point it at ours.
echo "include $(cd "$work/root/usr/src/linux-headers-${release%-arm64}-common" && pwd)/Makefile" > "$headers/Makefile"
mod="$(cd "$work" && pwd)/mod"
mkdir -p "$mod"
cp "$work/src/linux-source-$series/drivers/firmware/arm_ffa/"*.[ch] "$here/ffa-module/Kbuild" \
    "$here/ffa-module/ffa-mm-probe.c" "$mod/"
make -s -C "$headers" M="$mod" ARCH=arm64 CROSS_COMPILE="$cross" modules 2>&1 \
    | grep -v 'Skipping BTF generation' || true
[ -s "$mod/ffa-module.ko" ] && [ -s "$mod/ffa-mm-probe.ko" ] || { echo "build-ffa-module.sh: build failed" >&2; exit 1; }
# Debug info is most of their size; the initramfs does not need it.
${cross}strip --strip-debug "$mod/ffa-module.ko" "$mod/ffa-mm-probe.ko"
cp "$mod/ffa-module.ko" "$mod/ffa-mm-probe.ko" "$out/"
rm -rf "$work"
