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
#   apache/kafka:3.9.2            the official image's layout, as its Dockerfile
#                                 lays it out (../shared/reference/images/
#                                 apache-kafka-3.9.0/docker/jvm/Dockerfile), on
#                                 the same rootfs: Kafka 3.9.2's jars, the image's
#                                 scripts unchanged in /etc/kafka/docker, user
#                                 appuser 1000:1000 (the image's is Alpine with
#                                 Temurin 21; ours is Debian with its JRE 17)
#   apache/kafka:4.4.0            the same from apache-kafka-4.4's Dockerfile
#                                 (log4j2 configs), Kafka 4.4.0's jars
#   confluentinc/cp-kafka:7.9.6   cp-kafka as kafka/Dockerfile.ubi8 (7.9.6)
#                                 builds it on cp-base-new, on the same rootfs
#                                 with Debian's Python: Kafka 3.9.0's jars
#                                 (cp 7.9.6 is Kafka 3.9.0) laid out as the
#                                 confluent-kafka package installs them, the
#                                 image's scripts unchanged in
#                                 /etc/confluent/docker with the base's
#                                 bash-config, and the Python dub/cub of
#                                 confluent-docker-utils 0.0.169 installed by
#                                 pip (with its PyPI requirements) as the base
#                                 image does, from the reference copy; cub's
#                                 Java commands (utility-belt 7.9.6, built
#                                 from its sources) in /usr/share/java/cp-base-new
# Each is saved as a docker archive under $K8S_CACHE/images (the Kafka image
# reused while its inputs are unchanged).
# Usage: tests/k8s/images.sh build [NAME...] | import CONTAINERD_SOCKET
#   (NAME: pause busybox kafka_init bitnami apache apache4 confluent; default all)
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

# kafka_image_start NAME VERSION REF [REF...]: the shared start of a Kafka
# image: Kafka VERSION's jars fetched, the cache key of every input (the
# REF folders of ../shared among them); returns 1 when the image of that key is cached, else
# sets $root to a fresh copy of the rootfs to build in (and $libs, $key).
kafka_image_start() {
  libs=$repo/target/kafka/$2/libs
  local d
  for d in "${@:3}"; do [ -d "$d" ] || { echo "images: $d missing (../shared)" >&2; exit 1; }; done
  [ -d "$libs" ] || "$repo/scripts/fetch-kafka.sh" "$2" >/dev/null
  key=$( { cat "$0" "$here"/image/kafka/*; find "${@:3}" -type f -exec sha256sum {} + | sort; ls "$libs"; } | sha256sum | cut -c1-16)
  if [ -s "$images/$1-$key.tar" ]; then log "$1 $2 cached"; ln -sf "$1-$key.tar" "$images/$1.tar"; return 1; fi
  "$here/rootfs.sh"
  root=$(mktemp -d "$cache/$1.XXXXXX")
  tar -C "$root" -xf "$cache/rootfs-bookworm-jre17.tar"
}
# kafka_dist DIR: Kafka $version's jars in DIR/libs, our launcher as its bin/ scripts,
# the release's config/ files (the stand-ins the header names).
kafka_dist() {
  mkdir -p "$1"/{bin,config,libs}
  cp "$libs"/*.jar "$1/libs/"
  install -m 0755 "$here/image/kafka/launcher.sh" "$1/bin/kafka-run-class.sh"
  for n in kafka-server-start kafka-server-stop zookeeper-server-start kafka-storage kafka-topics kafka-configs \
           kafka-metadata-quorum kafka-console-consumer kafka-verifiable-producer kafka-features zookeeper-shell; do
    ln -s kafka-run-class.sh "$1/bin/$n.sh"
  done
  cp "$here/image/kafka/server.properties" "$1/config/"
  case "$version" in
    3.*) cp "$here"/image/kafka/{log4j,tools-log4j}.properties "$1/config/" ;;
    *)   cp "$here"/image/kafka/{log4j2,tools-log4j2}.yaml "$1/config/" ;;
  esac
}
# kafka_image_save NAME REF CHANGES...: $root imported as image REF with the
# Dockerfile's CHANGES (--change ...), saved under $images, $root removed.
kafka_image_save() {
  local name=$1 ref=$2; shift 2
  tar -C "$root" -c . | podman import "$@" - "kik8s-$name" >/dev/null
  rm -rf "$root"
  rm -f "$images/$name"-*.tar
  save "kik8s-$name" "$ref" "$images/$name-$key.tar"
  ln -sf "$name-$key.tar" "$images/$name.tar"
  podman rmi -f "kik8s-$name" >/dev/null 2>&1 || true
  log "$ref built ($(du -h "$images/$name-$key.tar" | cut -f1))"
}

# The Bitnami 3.9 image: its Dockerfile's steps, in order, on our rootfs.
build_bitnami() {
  local version=3.9.0 ref=$shared/reference/images/bitnami-kafka-3.9
  kafka_image_start bitnami-kafka "$version" "$ref" || return 0
  cp -a "$ref/prebuildfs/." "$root/"
  # The components Bitnami downloads: its JRE (here Debian's), Kafka, wait-for-port.
  mkdir -p "$root/opt/bitnami/common/bin"
  ln -s "$(basename "$(ls -d "$root"/usr/lib/jvm/java-17-openjdk-*)")" "$root/usr/lib/jvm/default-17"
  ln -s /usr/lib/jvm/default-17 "$root/opt/bitnami/java"
  kafka_dist "$root/opt/bitnami/kafka"
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
  kafka_image_save bitnami-kafka "docker.io/bitnami/kafka:$version" "${changes[@]}"
}

# apache/kafka: the Dockerfile's RUN step, in order, on our rootfs; 3.9.2
# (as the 3.9.0 Dockerfile lays it out) and 4.4.0 (the 4.4 Dockerfile:
# log4j2 configs, server.properties from its own directory, no kraft/).
# The class-data-sharing archives (kafka.jsa, storage.jsa) are left out:
# only the image's KRaft `launch` uses them, and the JVM starts without.
build_apache() { build_apache_version 3.9.2 apache-kafka-3.9.0 apache-kafka; }
build_apache4() { build_apache_version 4.4.0 apache-kafka-4.4 apache-kafka4; }
build_apache_version() {
  local version=$1 ref=$shared/reference/images/$2 name=$3
  kafka_image_start "$name" "$version" "$ref" || return 0
  # The base image's Java (eclipse-temurin keeps it in /opt/java/openjdk).
  mkdir -p "$root/opt/java"
  ln -s "/usr/lib/jvm/$(basename "$(ls -d "$root"/usr/lib/jvm/java-17-openjdk-*)")" "$root/opt/java/openjdk"
  # The release's layout under /opt/kafka: jars, our bin/ launcher, config/.
  kafka_dist "$root/opt/kafka"
  local defaults
  case "$version" in
    3.*) mkdir -p "$root/opt/kafka/config/kraft"
         install -m 0644 "$ref/config/kraft/server.properties" "$root/opt/kafka/config/kraft/server.properties"
         defaults='cp /opt/kafka/config/log4j.properties /etc/kafka/docker/log4j.properties
                   cp /opt/kafka/config/tools-log4j.properties /etc/kafka/docker/tools-log4j.properties
                   cp /opt/kafka/config/kraft/server.properties /etc/kafka/docker/server.properties' ;;
    *)   defaults='cp /opt/kafka/config/log4j2.yaml /etc/kafka/docker/log4j2.yaml
                   cp /opt/kafka/config/tools-log4j2.yaml /etc/kafka/docker/tools-log4j2.yaml' ;;
  esac
  # The Dockerfile's own commands from `mkdir -p /var/lib/kafka/data` on
  # (Alpine's `adduser -D` makes user and group appuser, 1000).
  chroot "$root" /bin/bash -euc "
    mkdir -p /var/lib/kafka/data /etc/kafka/secrets
    mkdir -p /etc/kafka/docker /usr/logs /mnt/shared/config
    useradd -m -d /home/appuser -s /bin/bash -u 1000 -U appuser
    chown appuser:appuser -R /usr/logs /opt/kafka /mnt/shared/config
    chown appuser:root -R /var/lib/kafka /etc/kafka/secrets /etc/kafka
    chmod -R ug+w /etc/kafka /var/lib/kafka /etc/kafka/secrets
    $defaults"
  # 4.4: COPY server.properties /etc/kafka/docker/server.properties.
  [ ! -f "$ref/docker/server.properties" ] || install -m 0644 "$ref/docker/server.properties" "$root/etc/kafka/docker/server.properties"
  # COPY --chown=appuser:appuser resources/common-scripts, launch: the files
  # into the existing dir, with the modes a checkout gives them (../shared
  # keeps them read-only).
  local f
  for f in "$ref"/docker/resources/common-scripts/* "$ref/docker/jvm/launch"; do
    install -o 1000 -g 1000 -m "$([ -x "$f" ] && echo 0755 || echo 0644)" "$f" "$root/etc/kafka/docker/"
  done
  local env=(JAVA_HOME=/opt/java/openjdk LANG=en_US.UTF-8
             PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  local changes=(--change "USER appuser" --change 'CMD ["/etc/kafka/docker/run"]' --change "EXPOSE 9092")
  for e in "${env[@]}"; do changes+=(--change "ENV $e"); done
  kafka_image_save "$name" "docker.io/apache/kafka:$version" "${changes[@]}"
}

# cp-kafka 7.9.6: its base cp-base-new's steps (its Dockerfile is not in
# ../shared: the user appuser 1000:1000, Python with confluent-docker-utils,
# /etc/confluent/docker/bash-config, /usr/logs for appuser), the package
# confluent-kafka's layout (/usr/bin/kafka-*, jars, /etc/kafka, /var/log/kafka),
# then kafka/Dockerfile.ubi8's own steps, in order.
build_confluent() {
  local version=3.9.0 images_ref=$shared/reference/images
  local ref=$images_ref/confluent-cp-kafka-7.9.6 utils=$images_ref/confluent-docker-utils-0.0.169
  local base=$images_ref/confluent-common-docker-7.9.6
  kafka_image_start confluent-kafka "$version" "$ref" "$utils" "$base" || return 0
  # pip installs confluent-docker-utils from its git tag: setuptools-git then
  # finds the package's files in git (setup.py names only `confluent`). So
  # the reference copy, as a git checkout, built into a wheel here (pure
  # Python), and installed in the image with its PyPI requirements.
  local src wheel
  src=$(mktemp -d); wheel=$(mktemp -d)
  cp -r "$utils/." "$src/"; chmod -R u+w "$src"; find "$src" -name __pycache__ -exec rm -rf {} +
  git -C "$src" init -q && git -C "$src" add -A && git -C "$src" -c user.name=kik8s -c user.email=kik8s@localhost commit -q -m "v0.0.169"
  python3 -m pip wheel -q --no-deps -w "$wheel" "$src"
  mkdir -p "$root/tmp/utils"; cp "$wheel"/*.whl "$utils/requirements.txt" "$root/tmp/utils/"; rm -rf "$src" "$wheel"
  cp /etc/resolv.conf "$root/etc/resolv.conf"; cp /etc/ssl/certs/ca-certificates.crt "$root/tmp/ca.crt"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      PIP_CERT=/tmp/ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 /bin/bash -euc '
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends python3 python3-venv >/dev/null 2>&1
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
    python3 -m venv /usr/local/lib/confluent-docker-utils
    /usr/local/lib/confluent-docker-utils/bin/pip install -q -r /tmp/utils/requirements.txt /tmp/utils/*.whl
    ln -s /usr/local/lib/confluent-docker-utils/bin/dub /usr/local/bin/dub
    ln -s /usr/local/lib/confluent-docker-utils/bin/cub /usr/local/bin/cub
    useradd --no-log-init --create-home --shell /bin/bash -u 1000 -U appuser
    mkdir -p /etc/confluent/docker /usr/logs
    chown appuser:root -R /etc/confluent /usr/logs' > "$cache/confluent-base.log" 2>&1 \
    || { cat "$cache/confluent-base.log" >&2; exit 1; }
  rm -rf "$root/tmp/utils" "$root/tmp/ca.crt"; : > "$root/etc/resolv.conf"
  install -o 1000 -g 0 -m 0644 "$base/base/include/etc/confluent/docker/bash-config" "$root/etc/confluent/docker/bash-config"
  # The package: our launcher as /usr/bin/kafka-* (the package's scripts
  # find Kafka's log4j in /etc/kafka and write logs to /usr/logs: so do these).
  kafka_dist "$root/usr/share/kafka"
  mkdir -p "$root/etc/kafka" "$root/var/log/kafka" "$root/var/log/confluent" "$root/var/lib/zookeeper"
  mv "$root"/usr/share/kafka/config/* "$root/etc/kafka/"; rmdir "$root/usr/share/kafka/config"
  ln -s /etc/kafka "$root/usr/share/kafka/config"; ln -s /usr/logs "$root/usr/share/kafka/logs"
  local f n
  for f in "$root"/usr/share/kafka/bin/*.sh; do
    n=$(basename "$f" .sh)
    printf '#!/bin/sh\nexec /usr/share/kafka/bin/%s.sh "$@"\n' "$n" > "$root/usr/bin/$n"; chmod 0755 "$root/usr/bin/$n"
  done
  # cp-base-new's Java half, which `cub zk-ready` (ensure, ZooKeeper mode)
  # runs from cub's default classpath: utility-belt's cub commands, built
  # from the reference sources (zk-ready, and kafka-ready beside it; the
  # topic commands need a YAML stack the image's scripts never call), with
  # the jars they need: gson from Maven, the rest Kafka 3.9.0's own.
  local belt=$base/utility-belt/src/main/java/io/confluent/admin/utils classes cpbase=$root/usr/share/java/cp-base-new j
  classes=$(mktemp -d); mkdir -p "$cpbase"
  mvn -q -B dependency:copy -Dartifact=com.google.code.gson:gson:2.10.1 -DoutputDirectory="$cpbase"
  javac -nowarn --release 17 -d "$classes" -cp "$libs/*:$cpbase/*" "$belt"/{ClusterStatus,ZookeeperConnectionWatcher}.java \
    "$belt"/cli/{ZookeeperReadyCommand,KafkaReadyCommand}.java 2>&1 | grep -v '^Note:' >&2 || true
  [ -s "$classes/io/confluent/admin/utils/cli/ZookeeperReadyCommand.class" ] || { echo "images: utility-belt did not compile" >&2; exit 1; }
  jar cf "$cpbase/utility-belt-7.9.6.jar" -C "$classes" .; rm -rf "$classes"
  for j in kafka-clients zookeeper zookeeper-jute argparse4j slf4j-api slf4j-reload4j reload4j audience-annotations \
           lz4-java snappy-java zstd-jni netty-buffer netty-codec netty-common netty-handler netty-resolver \
           netty-transport netty-transport-classes-epoll netty-transport-native-unix-common; do
    cp "$libs/$j"-[0-9]*.jar "$cpbase/"
  done
  # Dockerfile.ubi8's RUN, from "Setting up ${COMPONENT} dirs" (COMPONENT=kafka).
  chroot "$root" /bin/bash -euc '
    mkdir -p /var/lib/kafka/data /etc/kafka/secrets
    chown appuser:root -R /etc/kafka /var/log/kafka /var/log/confluent /var/lib/kafka /var/lib/zookeeper /etc/kafka/secrets /var/lib/kafka /etc/kafka
    chmod -R ug+w /etc/kafka /var/log/kafka /var/log/confluent /var/lib/kafka /var/lib/zookeeper /var/lib/kafka /etc/kafka/secrets /etc/kafka'
  # COPY --chown=appuser:appuser include/etc/confluent/docker /etc/confluent/docker
  for f in "$ref"/kafka/include/etc/confluent/docker/*; do
    install -o 1000 -g 1000 -m "$([ -x "$f" ] && echo 0755 || echo 0644)" "$f" "$root/etc/confluent/docker/"
  done
  # ENV from the ARGs without defaults: present, empty (issue 23).
  local env=(COMPONENT=kafka KAFKA_ZOOKEEPER_CONNECT= KAFKA_ADVERTISED_LISTENERS= CLUSTER_ID=
             LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  local changes=(--change "USER appuser" --change "WORKDIR /home/appuser" --change 'CMD ["/etc/confluent/docker/run"]'
                 --change "EXPOSE 9092" --change 'VOLUME ["/var/lib/kafka/data", "/etc/kafka/secrets"]')
  for e in "${env[@]}"; do changes+=(--change "ENV $e"); done
  kafka_image_save confluent-kafka "docker.io/confluentinc/cp-kafka:7.9.6" "${changes[@]}"
}

case "${1:-}" in
  build)
    "$repo/scripts/podman-conf.sh"
    start=$(date +%s)
    shift
    for b in "${@:-pause busybox kafka_init bitnami apache apache4 confluent}"; do
      for n in $b; do
        declare -F "build_$n" >/dev/null || { echo "images.sh: no image $n (pause busybox kafka_init bitnami apache apache4 confluent)" >&2; exit 64; }
        "build_$n"
      done
    done
    log "built in $(( $(date +%s) - start ))s" ;;
  import)
    for t in pause busybox kafka-init bitnami-kafka apache-kafka apache-kafka4 confluent-kafka; do
      ctr --address "$2" -n k8s.io images import --no-unpack=false "$images/$t.tar" >/dev/null
    done
    log "imported: $(ctr --address "$2" -n k8s.io images ls -q | grep -v '^sha256' | tr '\n' ' ')" ;;
  *) echo "usage: $0 build [NAME...] | import CONTAINERD_SOCKET" >&2; exit 64 ;;
esac
