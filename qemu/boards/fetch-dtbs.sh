#!/bin/sh
# Leaves the board device trees `make run MACHINE=raspi3b|zcu102` and the board tests boot with in
# build/boards/: the ones Debian's arm64 kernel package ships (linux-image-*-arm64, under
# /usr/lib/linux-image-*/), as a user of those boards gets them. Reuses the package that
# qemu/linux/fetch.sh keeps in build/linux/debs; otherwise downloads it with apt (needs root on a
# Debian machine: it adds the arm64 architecture to dpkg, for downloads only). Cached.
set -eu
out=${1:-build/boards}
debs=${2:-build/linux/debs}
dtbs="broadcom/bcm2837-rpi-3-b.dtb xilinx/zynqmp-zcu102-rev1.0.dtb"
missing=0
for d in $dtbs; do [ -s "$out/$(basename "$d")" ] || missing=1; done
[ $missing = 1 ] || exit 0
mkdir -p "$out" "$debs"
deb=$(ls "$debs"/linux-image-*-arm64_*.deb 2>/dev/null | grep -v -- '-dbg_' | head -n 1 || true)
if [ -z "$deb" ]; then
    . "$(dirname "$0")/../linux/debian-arm64.sh"
    kernel=$(debian_arm64_kernel)
    echo "fetch-dtbs.sh: downloading $kernel (arm64) for its device trees"
    debian_arm64_download "$debs" "$kernel"
    deb=$(ls "$debs"/linux-image-*-arm64_*.deb | head -n 1)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
patterns=""
for d in $dtbs; do patterns="$patterns ./usr/lib/linux-image-*/$d"; done
# shellcheck disable=SC2086
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards $patterns
for d in $dtbs; do
    src=$(ls "$tmp"/usr/lib/linux-image-*/"$d" | head -n 1)
    cp "$src" "$out/$(basename "$d")"
done
echo "fetch-dtbs.sh: $(basename "$deb"): $(cd "$out" && ls *.dtb | tr '\n' ' ')"
