#!/usr/bin/env bash
# Makes a JDK 21 at ~/.cache/lockwatch/jdk-21 (or $1) for the integration tests' JDK 21 executions (the Maven profile
# jdk21 runs them when that JDK is there). Debian 12, where CI runs, has no JDK 21 package; Debian 13's needs a newer
# C library than Debian 12's. So this takes Debian 13's OpenJDK 21 and the C and C++ runtime it was built against
# from deb.debian.org, unpacks them (nothing is installed), and puts a wrapper in place of each of the JDK's programs
# that starts it through Debian 13's own dynamic loader and libraries. java.home is the folder; processes the JVM
# starts (jspawnhelper) go through a wrapper too. Idempotent: a JDK that runs is kept.
set -euo pipefail
DEST="${1:-$HOME/.cache/lockwatch/jdk-21}"
if [ -x "$DEST/bin/java" ] && "$DEST/bin/java" -version >/dev/null 2>&1; then exit 0; fi

MIRROR=http://deb.debian.org/debian
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
curl -fsS --retry 5 -o "$WORK/Packages.xz" "$MIRROR/dists/trixie/main/binary-amd64/Packages.xz"
xz -dc "$WORK/Packages.xz" > "$WORK/Packages"
for package in openjdk-21-jre-headless openjdk-21-jdk-headless libc6 libstdc++6 libgcc-s1 zlib1g; do
  file=$(awk -v p="$package" '$1 == "Package:" { hit = ($2 == p) } hit && $1 == "Filename:" { print $2; exit }' "$WORK/Packages")
  [ -n "$file" ] || { echo "jdk21.sh: no $package in Debian 13's package index" >&2; exit 1; }
  curl -fsS --retry 5 -o "$WORK/$package.deb" "$MIRROR/$file"
  dpkg-deb -x "$WORK/$package.deb" "$WORK/root"
done

rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -a "$WORK/root/usr/lib/jvm/java-21-openjdk-amd64" "$DEST"
mkdir -p "$DEST/debian13"
cp -a "$WORK/root/usr/lib/x86_64-linux-gnu/." "$DEST/debian13/"
# The JDK's configuration lives in /etc on Debian: its links point there. Copy it in.
find "$DEST" -xtype l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /etc/*) rm "$link"; cp -a "$WORK/root$target" "$link" ;;
    *) rm "$link" ;; # the sources and docs, not shipped in these packages
  esac
done

wrap() { # wrap DIR NAME: DIR/NAME becomes a script that runs DIR/.real/NAME through Debian 13's loader
  mkdir -p "$1/.real"
  mv "$1/$2" "$1/.real/$2"
  printf '#!/bin/sh\nexec "%s/debian13/ld-linux-x86-64.so.2" --library-path "%s/debian13:%s/lib:%s/lib/server" "%s/.real/%s" "$@"\n' \
    "$DEST" "$DEST" "$DEST" "$DEST" "$1" "$2" > "$1/$2"
  chmod +x "$1/$2"
}
for program in "$DEST"/bin/*; do
  [ -f "$program" ] && wrap "$DEST/bin" "$(basename "$program")"
done
wrap "$DEST/lib" jspawnhelper
# The launchers of the JDK's tools find the JDK from their own path, which is the loader's here: those the tests and
# a developer use run as java with the tool's main class instead (without the launchers' -J options).
tool() { # tool NAME MODULE/CLASS
  printf '#!/bin/sh
exec "%s/bin/java" -m %s "$@"
' "$DEST" "$2" > "$DEST/bin/$1"
}
tool jcmd jdk.jcmd/sun.tools.jcmd.JCmd
tool jstack jdk.jcmd/sun.tools.jstack.JStack
tool jmap jdk.jcmd/sun.tools.jmap.JMap
tool jinfo jdk.jcmd/sun.tools.jinfo.JInfo
tool jps jdk.jcmd/sun.tools.jps.Jps
tool jfr jdk.jfr/jdk.jfr.internal.tool.Main
tool jar jdk.jartool/sun.tools.jar.Main
tool javac jdk.compiler/com.sun.tools.javac.Main
"$DEST/bin/java" -version
