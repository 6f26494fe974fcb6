#!/usr/bin/env bash
# images/base/make-base.sh OUT.tar — the base image of the MM1 images for machines with no registry to pull
# eclipse-temurin:25-jre from: Debian (debootstrap --variant=minbase) plus a jlinked Java 25 runtime, written as
# a Docker-archive tarball that Jib builds on:  ./mvnw -Pimages package -Dmm1.base=tar://$PWD/OUT.tar
#
# Needs root, Debian's debootstrap (apt-get install debootstrap), a reachable Debian mirror and a JDK 25 whose
# jlink can link (Temurin 25 links from its own run-time image). Takes about two minutes.
#
# Options: --suite SUITE (bookworm)  --mirror URL (http://deb.debian.org/debian)  --jdk DIR (the JDK 25 that
# ./mvnw picks)  --modules LIST (the Java modules of the runtime; the default runs every MM1 image).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
suite=bookworm
mirror=http://deb.debian.org/debian
jdk=""
# What the trainer (java.desktop for image decoding), the evaluator and the Quarkus services use, plus the
# tools for looking inside a running JVM (jcmd needs jdk.attach in the JVM, not a JDK).
modules=java.se,jdk.unsupported,jdk.zipfs,jdk.management,jdk.management.agent,jdk.jfr,jdk.attach,jdk.net,jdk.naming.dns,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.security.auth,jdk.security.jgss,jdk.httpserver,jdk.localedata
out=""

die() { echo "make-base: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=${2:?--suite needs a value}; shift 2 ;;
    --mirror) mirror=${2:?--mirror needs a value}; shift 2 ;;
    --jdk) jdk=${2:?--jdk needs a value}; shift 2 ;;
    --modules) modules=${2:?--modules needs a value}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$out" ] || die "one output file only (got $out and $1)"; out=$1; shift ;;
  esac
done
[ -n "$out" ] || die "usage: $0 [options] OUT.tar (see --help)"
case "$out" in *.tar) ;; *) die "OUT must end in .tar (got $out)" ;; esac
[ "$(id -u)" = 0 ] || die "debootstrap needs root; run it as root (CI does)"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
if [ -z "$jdk" ]; then
  # shellcheck source=../../.mvn/select-jdk.sh
  . "$repo/.mvn/select-jdk.sh"
  jdk=${JAVA_HOME:-}
fi
[ -x "$jdk/bin/jlink" ] || die "no jlink in '${jdk}': pass --jdk with a JDK 25 (not a JRE)"
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release" 2>/dev/null || true)
[ "${major:-0}" -ge 25 ] || die "$jdk is Java ${major:-?}; the images run Java 25: pass --jdk with a JDK 25"
arch=$(dpkg --print-architecture)
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

work=$(mktemp -d)
trap 'umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
rootfs=$work/rootfs
started=$(date +%s)

echo "make-base: debootstrap --variant=minbase $suite ($arch) from $mirror" >&2
if ! debootstrap --variant=minbase --arch="$arch" "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log" >&2
  die "debootstrap failed (log above); check that $mirror is reachable, or pass --mirror"
fi
# Nothing of apt's state, documentation or logs is needed to run Java.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/info/* "$rootfs"/var/log/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/debootstrap
: > "$rootfs/etc/machine-id"
# debootstrap copies the build machine's resolver settings; container runtimes mount their own /etc/hosts and
# /etc/resolv.conf, but a bare OCI runtime (runc in CI) does not, and PostgreSQL must resolve "localhost".
: > "$rootfs/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$rootfs/etc/hosts"

echo "make-base: jlink Java $major runtime ($modules)" >&2
"$jdk/bin/jlink" --add-modules "$modules" --include-locales=en --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --generate-cds-archive --output "$rootfs/opt/java/openjdk" > "$work/jlink.log" 2>&1 \
  || { cat "$work/jlink.log" >&2; die "jlink failed (above)"; }

# The images' user (ImageRecipe.USER): PostgreSQL's initdb, which the control plane's embedded database runs,
# needs a name for it.
echo "mm1:x:65532:65532:MM1:/home/mm1:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
echo "mm1:x:65532:" >> "$rootfs/etc/group"
install -d -m 0755 -o 65532 -g 65532 "$rootfs/home/mm1"
# The launcher finds libjli.so through /proc/self/exe, as in a container.
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" /opt/java/openjdk/bin/java -version 2> "$work/java-version" || die "the jlinked java does not run in the base: $(cat "$work/java-version")"
umount "$rootfs/proc"

archive=$work/archive
mkdir -p "$archive"
tar --sort=name --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -6 < "$work/layer.tar" > "$archive/layer.tar.gz"
cat > "$archive/config.json" <<JSON
{"architecture":"$arch","os":"linux",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created_by":"images/base/make-base.sh: debootstrap --variant=minbase $suite + jlink Java $major"}]}
JSON
echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"mm1-base:$suite-java$major\"],\"Layers\":[\"layer.tar.gz\"]}]" > "$archive/manifest.json"
tar --sort=name --numeric-owner -C "$archive" -cf "$out.partial" manifest.json config.json layer.tar.gz
mv "$out.partial" "$out"
echo "make-base: $out ($(du -m "$out" | cut -f1) MB, $(head -1 "$work/java-version")) in $(( $(date +%s) - started )) s" >&2
