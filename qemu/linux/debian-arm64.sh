# Sourced by qemu/linux/fetch.sh and qemu/boards/fetch-dtbs.sh: Debian's arm64 packages through
# apt, for downloads only. Needs root on a Debian machine (it adds the arm64 architecture to dpkg).
apt="apt-get -q -o APT::Sandbox::User=root"

# Prints the name of the current arm64 kernel package (linux-image-<version>-arm64), the one the
# metapackage linux-image-arm64 depends on; adds the architecture and refreshes the lists if needed.
# (Both functions run in a subshell: their variables stay theirs.)
debian_arm64_kernel() (
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        dpkg --add-architecture arm64 || exit 1
        $apt update >/dev/null || exit 1
    fi
    kernel=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1)
    if [ -z "$kernel" ]; then
        $apt update >/dev/null || exit 1
        kernel=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1)
    fi
    [ -n "$kernel" ] || { echo "${0##*/}: no linux-image-arm64 package found" >&2; exit 1; }
    echo "$kernel"
)

# debian_arm64_download DIR PACKAGE...: downloads each PACKAGE's arm64 .deb into DIR.
debian_arm64_download() (
    dir=$1; shift
    packages=""
    for p in "$@"; do packages="$packages $p:arm64"; done
    # shellcheck disable=SC2086
    cd "$dir" && $apt download $packages >/dev/null
)
