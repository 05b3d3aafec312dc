#!/bin/sh
# deps.sh PKG... - make sure the Debian packages the build needs are there:
# install the missing ones when run as root, else print the exact command.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "logtriage: installing:$missing"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
else
	echo "logtriage: missing packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
