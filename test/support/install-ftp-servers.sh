#!/usr/bin/env bash
# Two FTP server products nobody on this project wrote, for the tests: ProFTPD (with mod_tls for
# FTPS and mod_sftp for SFTP) and Pure-FTPd (with TLS). As Debian packages both conflict with vsftpd
# (all three provide ftp-server), and the tests need vsftpd too, so the .debs are fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a private folder; the tests run the binaries
# from there (test/support/proftpd.ts, test/support/pure-ftpd.ts). Their shared libraries conflict with
# nothing and are installed normally. Needs root; safe to run again (does nothing when the unpacked
# versions already match the candidates).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

DEST="${REGISTRY_TRANSFER_FTP_SERVERS_DIR:-/opt/registry-transfer-test-servers}"
PACKAGES=(proftpd-core proftpd-mod-crypto pure-ftpd)

# Everything the unpacked binaries and modules link against (from the packages' Depends lines), plus
# openssl and ssh-keygen, which the test helpers use for certificates and host keys.
apt-get install -y -qq --no-install-recommends \
  libacl1 libcap2 libcrypt1 libhiredis0.14 libidn2-0 libmemcached11 libmemcachedutil2 \
  libncursesw6 libpam0g libpcre2-8-0 libpcre2-posix3 libssl3 libtinfo6 zlib1g libsodium23 \
  openssl openssh-client >/dev/null

candidate() { apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'; }

mkdir -p "$DEST"
for package in "${PACKAGES[@]}"; do
  version="$(candidate "$package")"
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "install-ftp-servers: no candidate for $package (run apt-get update first)" >&2
    exit 1
  fi
  stamp="$DEST/.unpacked-$package"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then continue; fi
  work="$(mktemp -d)"
  # apt downloads as its sandbox user where it can write (it warns and downloads as root otherwise).
  if id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
  (cd "$work" && apt-get download -qq "$package=$version")
  dpkg-deb -x "$work"/*.deb "$DEST"
  rm -rf "$work"
  echo "$version" >"$stamp"
done

# Prove the binaries and the two modules load here (a missing library shows up now, not in a test).
PROFTPD="$DEST/usr/sbin/proftpd"
PUREFTPD="$DEST/usr/sbin/pure-ftpd"
"$PROFTPD" -v
check_dir="$(mktemp -d)"
trap 'rm -rf "$check_dir"' EXIT
cat >"$check_dir/proftpd.conf" <<EOF
ModulePath $DEST/usr/lib/proftpd
LoadModule mod_tls.c
LoadModule mod_sftp.c
ServerType standalone
Port 0
EOF
"$PROFTPD" -t -n -q -c "$check_dir/proftpd.conf" >/dev/null
"$PUREFTPD" --help 2>&1 | head -n 1
echo "install-ftp-servers: ProFTPD and Pure-FTPd are ready in $DEST"
