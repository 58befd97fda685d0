#!/bin/bash
# Our stand-in for Kafka's bin/ scripts, which ship only in the release
# tarball (not on Maven): each name below runs one of Kafka's main classes
# from libs/ with the environment Kafka's kafka-run-class.sh reads
# (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS,
# LOG_DIR), and creates LOG_DIR as that script does. The image's own
# start-up scripts (Bitnami's, apache/kafka's) call these by name.
set -euo pipefail
base_dir=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$0" .sh)
# Kafka 4.x logs through log4j2 (config/log4j2.yaml), 3.x through log4j 1.
log4j() {
  if [ -f "$base_dir/config/$1log4j2.yaml" ]; then echo "-Dlog4j2.configurationFile=$base_dir/config/$1log4j2.yaml"
  else echo "-Dlog4j.configuration=file:$base_dir/config/$1log4j.properties"; fi
}
case "$name" in
  kafka-server-start)
    class=kafka.Kafka
    : "${KAFKA_LOG4J_OPTS:=$(log4j "")}"
    : "${KAFKA_HEAP_OPTS:=-Xmx1G -Xms1G}" ;;
  kafka-server-stop)
    # As Kafka's: SIGTERM to every broker JVM, which shuts down in order.
    pids=$(pgrep -f 'java.* kafka\.Kafka ' || true)
    [ -n "$pids" ] || { echo "No kafka server to stop"; exit 1; }
    exec kill -s TERM $pids ;;
  zookeeper-server-start)
    class=org.apache.zookeeper.server.quorum.QuorumPeerMain
    : "${KAFKA_LOG4J_OPTS:=$(log4j "")}"
    : "${KAFKA_HEAP_OPTS:=-Xmx512M -Xms512M}" ;;
  kafka-storage) class=kafka.tools.StorageTool ;;
  kafka-topics) class=org.apache.kafka.tools.TopicCommand ;;
  kafka-configs) class=kafka.admin.ConfigCommand ;;
  kafka-metadata-quorum) class=org.apache.kafka.tools.MetadataQuorumCommand ;;
  kafka-console-consumer) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-features) class=org.apache.kafka.tools.FeatureCommand ;;
  # As Kafka 3.x's zookeeper-shell.sh: HOST:PORT first, then the command.
  zookeeper-shell) class=org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka; set -- -server "$@" ;;
  kafka-verifiable-producer) class=org.apache.kafka.tools.VerifiableProducer ;;
  kafka-run-class) class=$1; shift ;;
  *) echo "$name: not one of the launcher's names" >&2; exit 64 ;;
esac
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_LOG4J_OPTS:=$(log4j tools-)}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${LOG_DIR:=$base_dir/logs}"
mkdir -p "$LOG_DIR"
java=java; [ -n "${JAVA_HOME:-}" ] && java=$JAVA_HOME/bin/java
# shellcheck disable=SC2086  # the options are word lists, as in Kafka's script
exec "$java" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_LOG4J_OPTS "-Dkafka.logs.dir=$LOG_DIR" \
  ${KAFKA_OPTS:-} -cp "$base_dir/libs/*" "$class" "$@"
