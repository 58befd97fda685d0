#!/usr/bin/env bash
# Starts one single-node KRaft Kafka (broker+controller in one JVM) on loopback,
# for capturing wire fixtures and benchmarking the probe. Needs the jars of
# scripts/fetch-kafka.sh. Prints the JVM's pid on stdout once the PLAINTEXT
# port accepts connections; the log is <dir>/kafka.log.
# Usage: scripts/kafka-single-node.sh VERSION DIR PLAINTEXT_PORT   (controller: PORT+1)
# KAFKA_EXTRA_PROPERTIES (lines of key=value) is appended to server.properties.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$1 dir=$2 port=$3
ctrl=$((port + 1))
libs="$PWD/target/kafka/$version/libs"
[ -d "$libs" ] || { echo "no jars in $libs; run scripts/fetch-kafka.sh $version" >&2; exit 1; }
mkdir -p "$dir/data"
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
${KAFKA_EXTRA_PROPERTIES:-}
PROPS
case "$version" in
  3.*) logging="-Dlog4j.configuration=file:$PWD/target/kafka/$version/log4j.properties" ;;
  *)   logging="-Dlog4j2.configurationFile=$PWD/target/kafka/$version/log4j2.properties" ;;
esac
# A fixed cluster id keeps captured Metadata responses comparable between runs.
java -cp "$libs/*" $logging kafka.tools.StorageTool format -t a2Fma2EtaW5pdC13aXJlIQ \
  -c "$dir/server.properties" --ignore-formatted > "$dir/format.log" 2>&1 \
  || { cat "$dir/format.log" >&2; exit 1; }
nohup java -Xmx384m -Xms128m -cp "$libs/*" $logging kafka.Kafka "$dir/server.properties" \
  > "$dir/kafka.log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$pid"; exit 0; fi
  kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/kafka.log" >&2; exit 1; }
  sleep 0.5
done
echo "kafka $version did not listen on $port within 60s; see $dir/kafka.log" >&2
kill "$pid"; exit 1
