#!/bin/sh
# The outside tools the tests make their vectors with: openssl (keys, certificates, PKCS#7) and
# efitools (cert-to-efi-sig-list, sign-efi-sig-list). Installed with apt when missing and root.
missing=""
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v sign-efi-sig-list >/dev/null 2>&1 || missing="$missing efitools"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-tools: installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >/dev/null || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >/dev/null; }
    exit $?
fi
echo "ensure-test-tools: missing$missing (install them: apt-get install -y$missing)" >&2
exit 1
