#!/usr/bin/env bash
# Prepares this machine to build and run the codec-server image with podman, without any registry but
# Debian's and Maven Central:
#   scripts/image-standins.sh
# 1. podman and runc (Debian packages; installed when missing and running as root).
# 2. podman settings this kernel needs: the runc runtime (crun fails on hybrid cgroups) and no default
#    ulimits (the defaults are refused with EPERM). Written to /etc/containers/containers.conf.d/ only
#    when `podman run` does not work yet.
# 3. Stand-ins for the two base images the Dockerfile names, built from Debian packages and the local JDK
#    and imported under the Dockerfile's exact names (registries other than Debian's are unreachable):
#    - gcr.io/distroless/base-nossl-debian12:nonroot, what distroless puts in it: base-files, netbase, tzdata,
#      media-types, ca-certificates (with its bundle), libc6; passwd/group entries for root, nobody and
#      nonroot (65532), home /home/nonroot, a world-writable /tmp; no shell, no package manager. Distroless
#      `base-debian12` is the same plus libssl3, which the JVM never loads (its TLS is Java's own; `ldd` on
#      the runtime's binaries and libraries names only libc, libm, libdl, libpthread and librt).
#    - maven:3.9-eclipse-temurin-25: Debian minbase (debootstrap) with binutils (jlink --strip-debug runs
#      objcopy) and curl (scripts/cds-archive.sh), the Temurin 25 JDK from /usr/lib/jvm at /opt/java/openjdk
#      and Apache Maven 3.9 from Maven Central (checksum checked) at /usr/share/maven, as in the real image.
# Each step is skipped when already done (an image carries the recipe version as a label), so a second run
# takes a second or two. Set CODEC_STANDINS_REBUILD=1 to rebuild the stand-ins.
set -euo pipefail
export LC_ALL=C

# Recipe version of each stand-in: bump one when its recipe changes (3: the distroless stand-in is base-nossl).
distroless_recipe=3
builder_recipe=2
distroless=gcr.io/distroless/base-nossl-debian12:nonroot
builder=docker.io/library/maven:3.9-eclipse-temurin-25
maven_version=3.9.11
temurin=${CODEC_TEMURIN_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1 || true)}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/codec-image

say() { echo "image-standins: $*"; }
fail() { echo "image-standins: $*" >&2; exit 1; }

# 1. podman and runc
missing=()
command -v podman > /dev/null || missing+=(podman)
command -v runc > /dev/null || [ -x /usr/sbin/runc ] || missing+=(runc)
command -v debootstrap > /dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing ${missing[*]}; install them as root: apt-get install -y ${missing[*]}"
  say "installing ${missing[*]} from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi
export PATH=$PATH:/usr/sbin:/sbin

# 2. podman settings: runc, no default ulimits. The stand-in distroless image has no shell, so the check runs
# the dynamic loader's --version, which needs nothing but the image.
conf_dir=/etc/containers/containers.conf.d
conf=$conf_dir/50-codec-image.conf
check_run() { podman run --rm --pull=never --network none "$distroless" /lib64/ld-linux-x86-64.so.2 --version > /dev/null 2>&1; }
write_conf() {
  [ "$(id -u)" = 0 ] || fail "podman needs $conf (runc, default_ulimits = []); run this once as root"
  mkdir -p "$conf_dir"
  printf '%s\n' '# scripts/image-standins.sh: crun fails on hybrid cgroups; the default ulimits are refused (EPERM)' \
    '[containers]' 'default_ulimits = []' '' '[engine]' 'runtime = "runc"' > "$conf"
  say "wrote $conf"
}
[ -f "$conf" ] || write_conf

image_recipe() { podman image inspect --format '{{ index .Labels "dev.codec.standin" }}' "$1" 2>/dev/null || true; }
fresh() { [ "${CODEC_STANDINS_REBUILD:-0}" != 1 ] && [ "$(image_recipe "$1")" = "$2" ]; }

work=
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT

# 3a. distroless base-nossl-debian12:nonroot
if fresh "$distroless" "$distroless_recipe"; then
  say "$distroless: present (recipe $distroless_recipe)"
else
  say "$distroless: building from Debian packages"
  work=$(mktemp -d)
  root=$work/rootfs
  mkdir -p "$root" "$work/debs"
  packages=(base-files netbase tzdata media-types ca-certificates libc6)
  if ! (cd "$work/debs" && apt-get download -qq "${packages[@]}" 2> /dev/null); then
    [ "$(id -u)" = 0 ] || fail "apt-get download failed (run apt-get update as root?)"
    apt-get update -qq
    (cd "$work/debs" && apt-get download -qq "${packages[@]}" 2> /dev/null) || fail "apt-get download failed"
  fi
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  # ca-certificates' postinst builds the bundle; distroless ships the result.
  mkdir -p "$root/etc/ssl/certs"
  find "$root/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat > "$root/etc/ssl/certs/ca-certificates.crt"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' > "$root/etc/group"
  mkdir -p "$root/tmp" "$root/home/nonroot" "$root/root"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/home/nonroot" "$root/root"
  chown 65532:65532 "$root/home/nonroot"
  # Documentation and maintainer scripts are not in distroless either.
  rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian"
  [ ! -e "$root/bin/sh" ] && [ ! -e "$root/usr/bin/sh" ] || fail "the distroless stand-in must have no shell"
  tar --numeric-owner -C "$root" -c . | podman import -q \
    --change 'USER=65532' --change 'WORKDIR=/home/nonroot' \
    --change 'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV=SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change "LABEL=dev.codec.standin=$distroless_recipe" - "$distroless" > /dev/null
  rm -rf "$work"; work=
  say "$distroless: $(podman image inspect --format '{{.Size}}' "$distroless") bytes"
fi
check_run || { write_conf; check_run; } || fail "podman run fails even with $conf; see: podman run --rm $distroless /lib64/ld-linux-x86-64.so.2 --version"

# 3b. maven:3.9-eclipse-temurin-25
if fresh "$builder" "$builder_recipe"; then
  say "$builder: present (recipe $builder_recipe)"
else
  [ -n "$temurin" ] && [ -x "$temurin/bin/jlink" ] || fail "no Temurin 25 JDK under /usr/lib/jvm (set CODEC_TEMURIN_HOME)"
  mkdir -p "$cache"
  tarball=$cache/apache-maven-$maven_version-bin.tar.gz
  if [ ! -s "$tarball" ]; then
    url=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$maven_version/apache-maven-$maven_version-bin.tar.gz
    say "downloading Maven $maven_version from Maven Central"
    curl -fsSL -o "$tarball.part" "$url" && expected=$(curl -fsSL "$url.sha512" | cut -d' ' -f1) \
      || fail "download of $url failed"
    [ "$(sha512sum "$tarball.part" | cut -d' ' -f1)" = "$expected" ] || { rm -f "$tarball.part"; fail "checksum mismatch for $url"; }
    mv "$tarball.part" "$tarball"
  fi
  say "$builder: debootstrap minbase (a few minutes)"
  work=$(mktemp -d)
  root=$work/rootfs
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  debootstrap --variant=minbase --include=binutils,curl,ca-certificates bookworm "$root" "${mirror:-http://deb.debian.org/debian}" \
    > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  mkdir -p "$root/opt/java" "$root/usr/share/maven"
  cp -aL "$temurin" "$root/opt/java/openjdk" # -L: Debian links lib/security/cacerts into /etc
  tar -xzf "$tarball" --strip-components=1 -C "$root/usr/share/maven"
  ln -sf /usr/share/maven/bin/mvn "$root/usr/bin/mvn"
  rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
  tar --numeric-owner -C "$root" -c . | podman import -q \
    --change 'ENV=JAVA_HOME=/opt/java/openjdk' --change 'ENV=MAVEN_HOME=/usr/share/maven' \
    --change 'ENV=PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV=LANG=C.UTF-8' --change 'WORKDIR=/' --change 'CMD=["mvn"]' \
    --change "LABEL=dev.codec.standin=$builder_recipe" - "$builder" > /dev/null
  rm -rf "$work"; work=
  say "$builder: $(podman image inspect --format '{{.Size}}' "$builder") bytes"
fi
say "ready"
