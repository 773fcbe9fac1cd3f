#!/bin/sh
# Installs a build into a scratch root twice, as an administrator upgrading
# would, and checks what lands where: the binaries, the unit, the man
# pages, the completion, and the configuration, which a second install
# must leave alone once it has been edited.
# Usage: install_check.sh BUILD_DIR SCRATCH_DIR
set -eu

build=$1
root=$2/root
rm -rf "$root"
mkdir -p "$root"
DESTDIR=$root cmake --install "$build" >/dev/null

for f in bin/larder sbin/larderd share/man/man1/larder.1 \
    share/man/man8/larderd.8 share/man/man5/larderd.conf.5 \
    share/bash-completion/completions/larder \
    share/bash-completion/completions/larderd; do
	found=$(find "$root" -path "*/$f" | head -n 1)
	if [ -z "$found" ]; then
		echo "install_check: $f was not installed" >&2
		exit 1
	fi
done
unit=$(find "$root" -name larderd.service | head -n 1)
conf=$(find "$root" -path '*/larder/larderd.conf' | head -n 1)
[ -n "$unit" ] || { echo "install_check: no unit" >&2; exit 1; }
[ -n "$conf" ] || { echo "install_check: no larderd.conf" >&2; exit 1; }
grep -q "^ExecStart=/.*/sbin/larderd " "$unit" || {
	echo "install_check: the unit does not run the installed larderd" >&2
	exit 1
}

echo "[daemon]" >"$conf"
echo "log_level = debug" >>"$conf"
DESTDIR=$root cmake --install "$build" >/dev/null
grep -q "log_level = debug" "$conf" || {
	echo "install_check: a second install overwrote larderd.conf" >&2
	exit 1
}
larder=$(find "$root" -path '*/bin/larder' | head -n 1)
"$larder" --version
echo "install_check: ok"
