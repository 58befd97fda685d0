#!/usr/bin/env bash
# The images of the real-cluster test, built here (no image can be pulled):
#   localhost/kik8s/pause:1       the pod sandbox (image/pause.c, static, FROM scratch)
#   busybox:1.35                  Debian's busybox-static, for the seed's initContainer
#   kafka-init:0.1.0              docker/Containerfile with the static binary
#   bitnami/kafka:3.9.0           the Bitnami image as the user runs it: Debian 12
#                                 with its JRE (rootfs.sh), Kafka 3.9.0's jars from
#                                 Maven, and the Bitnami 3.9 scripts from
#                                 ../shared/reference/images/bitnami-kafka-3.9,
#                                 unchanged, laid out and post-unpacked as its
#                                 Dockerfile does (run.sh's kafka-server-start.sh
#                                 is our launcher: Kafka's bin/ is not on Maven)
# Each is saved as a docker archive under $K8S_CACHE/images (the Kafka image
# reused while its inputs are unchanged).
# Usage: tests/k8s/images.sh build | import CONTAINERD_SOCKET
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=$(cd "$repo/.." && pwd)/shared
cache=${K8S_CACHE:-$HOME/.cache/kafka-init-k8s}
images=$cache/images
mkdir -p "$images"
log() { printf '[%s] images: %s\n' "$(date +%T)" "$*"; }

save() { # save LOCAL_NAME REF FILE: podman image -> docker archive named REF
  podman tag "$1" "$2"
  rm -f "$3"; podman save --format docker-archive -o "$3" "$2" >/dev/null
}

build_pause() {
  local ctx; ctx=$(mktemp -d)
  cc -static -O2 -o "$ctx/pause" "$here/image/pause.c"
  printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' > "$ctx/Containerfile"
  podman build -q --isolation chroot -t kik8s-pause "$ctx" >/dev/null
  save kik8s-pause localhost/kik8s/pause:1 "$images/pause.tar"; rm -rf "$ctx"
}

build_busybox() {
  local ctx; ctx=$(mktemp -d); mkdir -p "$ctx/bin"
  cp /bin/busybox "$ctx/bin/busybox"
  printf 'FROM scratch\nCOPY bin /bin\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["/bin/sh"]\n' > "$ctx/Containerfile"
  podman build -q --isolation chroot -t kik8s-busybox "$ctx" >/dev/null
  save kik8s-busybox docker.io/library/busybox:1.35 "$images/busybox.tar"; rm -rf "$ctx"
}

build_kafka_init() {
  local ctx=$repo/target/k8s-image
  rm -rf "$ctx"; mkdir -p "$ctx"
  install -m 0755 "$("$repo/scripts/build-static.sh")" "$ctx/kafka-init"
  podman build -q --isolation chroot -f "$repo/docker/Containerfile" -t kik8s-kafka-init "$ctx" >/dev/null
  save kik8s-kafka-init docker.io/library/kafka-init:0.1.0 "$images/kafka-init.tar"
}

# The Bitnami 3.9 image: its Dockerfile's steps, in order, on our rootfs.
build_bitnami() {
  local version=3.9.0 ref=$shared/reference/images/bitnami-kafka-3.9
  local libs=$repo/target/kafka/$version/libs
  [ -d "$ref" ] || { echo "images: $ref missing (../shared)" >&2; exit 1; }
  [ -d "$libs" ] || "$repo/scripts/fetch-kafka.sh" "$version" >/dev/null
  local key; key=$( { cat "$0" "$here"/image/kafka/*; find "$ref" -type f -exec sha256sum {} + | sort; ls "$libs"; } | sha256sum | cut -c1-16)
  if [ -s "$images/bitnami-kafka-$key.tar" ]; then log "bitnami/kafka:$version cached"; ln -sf "bitnami-kafka-$key.tar" "$images/bitnami-kafka.tar"; return; fi
  "$here/rootfs.sh"
  local root; root=$(mktemp -d "$cache/bitnami.XXXXXX")
  tar -C "$root" -xf "$cache/rootfs-bookworm-jre17.tar"
  cp -a "$ref/prebuildfs/." "$root/"
  # The components Bitnami downloads: its JRE (here Debian's), Kafka, wait-for-port.
  mkdir -p "$root/opt/bitnami/kafka"/{bin,config,libs} "$root/opt/bitnami/common/bin"
  ln -s "$(basename "$(ls -d "$root"/usr/lib/jvm/java-17-openjdk-*)")" "$root/usr/lib/jvm/default-17"
  ln -s /usr/lib/jvm/default-17 "$root/opt/bitnami/java"
  cp "$libs"/*.jar "$root/opt/bitnami/kafka/libs/"
  install -m 0755 "$here/image/kafka/launcher.sh" "$root/opt/bitnami/kafka/bin/kafka-run-class.sh"
  for n in kafka-server-start kafka-server-stop zookeeper-server-start kafka-storage kafka-topics kafka-configs \
           kafka-metadata-quorum kafka-console-consumer kafka-verifiable-producer; do
    ln -s kafka-run-class.sh "$root/opt/bitnami/kafka/bin/$n.sh"
  done
  cp "$here"/image/kafka/{server,log4j,tools-log4j}.properties "$root/opt/bitnami/kafka/config/"
  : > "$root/opt/bitnami/kafka/config/producer.properties"; : > "$root/opt/bitnami/kafka/config/consumer.properties"
  install -m 0755 "$here/image/kafka/wait-for-port" "$root/opt/bitnami/common/bin/wait-for-port"
  chmod g+rwX "$root/opt/bitnami"
  ln -s /opt/bitnami/scripts/kafka/entrypoint.sh "$root/entrypoint.sh"
  ln -s /opt/bitnami/scripts/kafka/run.sh "$root/run.sh"
  cp -a "$ref/rootfs/." "$root/"
  local env=(HOME=/ OS_ARCH=amd64 OS_FLAVOUR=debian-12 OS_NAME=linux APP_VERSION=$version BITNAMI_APP_NAME=kafka
             JAVA_HOME=/opt/bitnami/java
             PATH=/opt/bitnami/common/bin:/opt/bitnami/java/bin:/opt/bitnami/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  env -i "${env[@]}" JAVA_EXTRA_SECURITY_DIR=/bitnami/java/extra-security chroot "$root" /bin/bash -c \
    '/opt/bitnami/scripts/java/postunpack.sh && /opt/bitnami/scripts/kafka/postunpack.sh' > "$cache/postunpack.log" 2>&1 \
    || { cat "$cache/postunpack.log" >&2; exit 1; }
  local changes=(--change "USER 1001" --change 'ENTRYPOINT ["/opt/bitnami/scripts/kafka/entrypoint.sh"]'
                 --change 'CMD ["/opt/bitnami/scripts/kafka/run.sh"]' --change "EXPOSE 9092")
  # One ENV per --change: `ENV A=1 B=2` would store A with the value "1 B=2".
  for e in "${env[@]}"; do changes+=(--change "ENV $e"); done
  tar -C "$root" -c . | podman import "${changes[@]}" - kik8s-bitnami-kafka >/dev/null
  rm -rf "$root"
  rm -f "$images"/bitnami-kafka-*.tar
  save kik8s-bitnami-kafka "docker.io/bitnami/kafka:$version" "$images/bitnami-kafka-$key.tar"
  ln -sf "bitnami-kafka-$key.tar" "$images/bitnami-kafka.tar"
  podman rmi -f kik8s-bitnami-kafka >/dev/null 2>&1 || true
  log "bitnami/kafka:$version built ($(du -h "$images/bitnami-kafka-$key.tar" | cut -f1))"
}

case "${1:-}" in
  build)
    "$repo/scripts/podman-conf.sh"
    start=$(date +%s)
    build_pause; build_busybox; build_kafka_init; build_bitnami
    log "built in $(( $(date +%s) - start ))s" ;;
  import)
    for t in pause busybox kafka-init bitnami-kafka; do
      ctr --address "$2" -n k8s.io images import --no-unpack=false "$images/$t.tar" >/dev/null
    done
    log "imported: $(ctr --address "$2" -n k8s.io images ls -q | grep -v '^sha256' | tr '\n' ' ')" ;;
  *) echo "usage: $0 build | import CONTAINERD_SOCKET" >&2; exit 64 ;;
esac
