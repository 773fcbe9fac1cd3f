#!/bin/sh
# Builds the Debian package from the sources (prefix /usr), checks its
# dependencies and contents, and unpacks it into a scratch root where its
# client runs.
# Usage: deb_check.sh SOURCE_DIR SCRATCH_DIR
# Exit 0 when it all holds, 77 when dpkg-deb or dpkg-shlibdeps is missing.
set -eu

src=$1
dir=$2
for tool in dpkg-deb dpkg-shlibdeps cpack; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "deb_check: $tool not found, skipped" >&2
		exit 77
	}
done
rm -rf "$dir"
mkdir -p "$dir"
cmake -S "$src" -B "$dir/build" -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLARDER_TESTS=OFF >/dev/null
cmake --build "$dir/build" -j "$(nproc)" >/dev/null
(cd "$dir/build" && cpack -G DEB >/dev/null)
deb=$(ls "$dir"/build/larder_*.deb)

info=$(dpkg-deb -I "$deb")
for dep in libevent-core libsqlite3-0 libjansson4 libssl3 libinih1; do
	echo "$info" | grep -q "Depends:.*$dep" || {
		echo "deb_check: the package does not depend on $dep" >&2
		echo "$info" >&2
		exit 1
	}
done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/larder ./usr/sbin/larderd ./etc/larder/larderd.conf \
    larderd.service ./usr/share/man/man1/larder.1 \
    ./usr/share/man/man5/larderd.conf.5 ./usr/share/man/man8/larderd.8 \
    ./usr/share/bash-completion/completions/larder; do
	echo "$contents" | grep -q "$f" || {
		echo "deb_check: the package lacks $f" >&2
		exit 1
	}
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles |
    grep -qx /etc/larder/larderd.conf || {
	echo "deb_check: larderd.conf is not a conffile" >&2
	exit 1
}
dpkg -x "$deb" "$dir/root"
"$dir/root/usr/bin/larder" --version
"$dir/root/usr/sbin/larderd" --check --config \
    "$dir/root/etc/larder/larderd.conf"
echo "deb_check: ok ($(basename "$deb"))"
