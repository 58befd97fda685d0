# shellcheck shell=bash disable=SC2034  # E2E_RC, E2E_ELAPSED_MS...: read by the scenarios
# The pod model of the end-to-end tests, sourced by the scenario scripts.
#
# A StatefulSet pod is modelled as a network namespace on a bridge of our own
# (10.231.0.0/24), with its own /etc/hosts (/etc/netns/<ns>/hosts, which
# `ip netns exec` bind-mounts over /etc/hosts) naming every pod exactly as the
# headless Service's DNS would, its own hostname (a UTS namespace), its own
# data dir, and the Kafka container's environment as printed from the k8s
# manifests by scripts/pod-env.sh. Kafka runs as `kafka-init exec --flavor
# properties -- java ... kafka.Kafka`, so the JVM is what kafka-init execs.
# Every process, namespace and link made here is removed on exit.

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/e2e/counters.sh
. "$E2E_REPO/tests/e2e/counters.sh"
E2E_NET=10.231.0        # the /24 on our bridge; nothing else is ever addressed
E2E_BRIDGE=kie-br0
E2E_NS_PREFIX=kie-       # every namespace we create starts with this
E2E_DOMAIN=cluster.local
E2E_JAVA=$(readlink -f "$(command -v java)")
E2E_INIT=${KAFKA_INIT_BIN:-$E2E_REPO/target/release/kafka-init}   # the binary under test
E2E_BROKER_JVM="-Xms384m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true"
E2E_CLIENT_JVM="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true"

declare -A E2E_IP=()        # pod (or zk, client) -> address
declare -A E2E_FQDN=()      # pod -> <pod>.<service>.<namespace>.svc.cluster.local
declare -A E2E_PID=()       # pod -> pid of its main process (the JVM once exec'd)
declare -A E2E_OVERLAY=()   # pod -> k8s overlay its env comes from
declare -A E2E_STS=()       # pod -> its StatefulSet (pod-env.sh's STATEFULSET argument)
E2E_PASSED=0
E2E_FAILED=0
E2E_NEXT_IP=20

# ---- output and checks ------------------------------------------------------

e2e_log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
e2e_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# check "description" command...: runs the command, counts and prints the verdict.
check() {
  local what=$1; shift
  if "$@"; then E2E_PASSED=$((E2E_PASSED + 1)); printf 'PASS  %s\n' "$what"
  else E2E_FAILED=$((E2E_FAILED + 1)); printf 'FAIL  %s\n' "$what"; fi
}

# wait_for SECONDS "description" command...: polls every 0.5 s.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then e2e_log "timed out after ${timeout}s: $what"; return 1; fi
    sleep 0.5
  done
}

e2e_summary() {
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ]
}

# ---- run directory and teardown --------------------------------------------

# e2e_init SCENARIO [KAFKA_VERSION]: the run's base dir, the machine-wide lock,
# the trap; with a version, also the first cluster (e2e_cluster).
e2e_init() {
  E2E_BASE="$E2E_REPO/target/e2e/$1-$(date +%Y%m%d-%H%M%S)"
  [ -x "$E2E_INIT" ] || { echo "no $E2E_INIT: run cargo build --release" >&2; exit 1; }
  mkdir -p "$E2E_BASE"
  # One run at a time on a machine: runs share the bridge, the subnet and the
  # kie- namespaces, and a run starts by clearing an interrupted run's leftovers.
  exec {E2E_LOCK_FD}>/run/lock/kafka-init-e2e.lock
  flock -n "$E2E_LOCK_FD" || { e2e_log "waiting for another e2e run to finish"; flock -w 1200 "$E2E_LOCK_FD"; }
  trap e2e_teardown EXIT
  if [ $# -ge 2 ]; then E2E_RUN=$E2E_BASE; e2e_network "$2"; fi
}

# e2e_cluster NAME KAFKA_VERSION: a new, empty cluster in $E2E_BASE/NAME; the
# previous cluster's processes and namespaces are removed first.
e2e_cluster() {
  E2E_RUN="$E2E_BASE/$1"
  E2E_IP=() E2E_FQDN=() E2E_PID=() E2E_OVERLAY=() E2E_STS=() E2E_NEXT_IP=20
  e2e_network "$2"
}

e2e_network() {
  E2E_KAFKA_VERSION=$1
  E2E_LIBS="$E2E_REPO/target/kafka/$1/libs"
  [ -d "$E2E_LIBS" ] || { echo "no Kafka $1 classpath: run scripts/fetch-kafka.sh $1" >&2; exit 1; }
  mkdir -p "$E2E_RUN/logs" "$E2E_RUN/pods"
  e2e_log_config
  e2e_remove_network   # the previous cluster's, or an interrupted run's leftovers
  ip link add "$E2E_BRIDGE" type bridge
  ip addr add "$E2E_NET.1/24" dev "$E2E_BRIDGE"
  ip link set "$E2E_BRIDGE" up
  e2e_log "run dir $E2E_RUN (Kafka $1)"
}

# Log config for the JVMs: brokers log INFO to their pod log, tools WARN to stderr.
e2e_log_config() {
  local d="$E2E_RUN/conf"; mkdir -p "$d"
  case "$E2E_KAFKA_VERSION" in
    3.*)
      cp "$E2E_REPO/target/kafka/$E2E_KAFKA_VERSION/log4j.properties" "$d/broker-log4j.properties"
      printf '%s\n' 'log4j.rootLogger=WARN, stderr' 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
        'log4j.appender.stderr.Target=System.err' 'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
        'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' > "$d/tools-log4j.properties"
      E2E_BROKER_LOG="-Dlog4j.configuration=file:$d/broker-log4j.properties"
      E2E_TOOLS_LOG="-Dlog4j.configuration=file:$d/tools-log4j.properties" ;;
    *)
      cp "$E2E_REPO/target/kafka/$E2E_KAFKA_VERSION/log4j2.properties" "$d/broker-log4j2.properties"
      printf '%s\n' 'status = warn' 'appender.err.type = Console' 'appender.err.name = err' 'appender.err.target = SYSTEM_ERR' \
        'appender.err.layout.type = PatternLayout' 'appender.err.layout.pattern = [%d] %p %m (%c)%n' \
        'rootLogger.level = warn' 'rootLogger.appenderRef.err.ref = err' > "$d/tools-log4j2.properties"
      E2E_BROKER_LOG="-Dlog4j2.configurationFile=$d/broker-log4j2.properties"
      E2E_TOOLS_LOG="-Dlog4j2.configurationFile=$d/tools-log4j2.properties" ;;
  esac
}

e2e_namespaces() { ip netns list | awk '{print $1}' | grep "^$E2E_NS_PREFIX" || true; }

# Kills the processes of our namespaces (by pid), deletes them and the bridge.
e2e_remove_network() {
  local ns pids l
  for ns in $(e2e_namespaces); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  done
  sleep 0.2
  for ns in $(e2e_namespaces); do ip netns delete "$ns"; rm -rf "/etc/netns/$ns"; done
  # Our veths (kiv<n>) outlive a deleted namespace while anything still holds it.
  for l in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^kiv[0-9]*$' || true); do
    ip link delete "$l" 2>/dev/null || true
  done
  ip link show "$E2E_BRIDGE" >/dev/null 2>&1 && ip link delete "$E2E_BRIDGE"
  return 0
}

e2e_teardown() {
  local rc=$?
  set +e
  e2e_remove_network
  if [ "$rc" -eq 0 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
    rm -rf "$E2E_BASE"/pods "$E2E_BASE"/*/pods   # data dirs; logs stay
  else
    e2e_log "kept $E2E_BASE (logs in its logs/ dirs)"
  fi
  exit "$rc"
}

# ---- network: one namespace per pod ----------------------------------------

# e2e_netns NAME IP: namespace kie-NAME with eth0 at IP on the bridge.
e2e_netns() {
  local name=$1 ip=$2 ns="$E2E_NS_PREFIX$1" veth
  veth="kiv${ip##*.}"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$E2E_BRIDGE" up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  E2E_IP[$name]=$ip
}

# e2e_pod NAME SERVICE NAMESPACE OVERLAY [STATEFULSET]: declares a pod (before e2e_hosts).
e2e_pod() {
  local name=$1 svc=$2 kns=$3
  e2e_netns "$name" "$E2E_NET.$E2E_NEXT_IP"
  E2E_NEXT_IP=$((E2E_NEXT_IP + 1))
  E2E_FQDN[$name]="$name.$svc.$kns.svc.$E2E_DOMAIN"
  E2E_OVERLAY[$name]=$4
  E2E_STS[$name]=${5:-${name%-*}}
  mkdir -p "$E2E_RUN/pods/$name/data" "$E2E_RUN/pods/$name/config"
}

# The cluster DNS as files: every pod's FQDN (and the short forms a pod's search
# path would resolve), each headless Service name to all its pods, ZooKeeper's
# Service. Written once all pods are declared; the same for every namespace,
# except the pod's own line that Kubernetes adds (IP, FQDN, hostname).
e2e_hosts() {
  local name ns f svcs=() svc
  f="$E2E_RUN/hosts"
  { printf '127.0.0.1\tlocalhost\n'
    [ -n "${E2E_IP[zk]:-}" ] && printf '%s\tzk-service.zk.svc.%s zk-service.zk zk-0\n' "${E2E_IP[zk]}" "$E2E_DOMAIN"
    for name in "${!E2E_FQDN[@]}"; do
      printf '%s\t%s %s\n' "${E2E_IP[$name]}" "${E2E_FQDN[$name]}" "${E2E_FQDN[$name]%.svc.*}"
      svc=${E2E_FQDN[$name]#*.}; svcs+=("${svc}")
    done
    for svc in $(printf '%s\n' "${svcs[@]}" | sort -u); do
      for name in "${!E2E_FQDN[@]}"; do
        [ "${E2E_FQDN[$name]#*.}" = "$svc" ] && printf '%s\t%s\n' "${E2E_IP[$name]}" "$svc"
      done
    done
  } > "$f"
  for name in "${!E2E_IP[@]}"; do
    ns="$E2E_NS_PREFIX$name"; mkdir -p "/etc/netns/$ns"
    cp "$f" "/etc/netns/$ns/hosts"
    [ -n "${E2E_FQDN[$name]:-}" ] && printf '%s\t%s %s\n' "${E2E_IP[$name]}" "${E2E_FQDN[$name]}" "$name" >> "/etc/netns/$ns/hosts"
  done
  return 0
}

# in_pod NAME command...: runs a command inside the pod's network namespace.
in_pod() { local n=$1; shift; ip netns exec "$E2E_NS_PREFIX$n" "$@"; }

# ---- ZooKeeper ---------------------------------------------------------------

# e2e_zookeeper: ZooKeeper 3.8 (from Kafka 3.9's classpath) as zk-service.zk:32181.
e2e_zookeeper() {
  e2e_netns zk "$E2E_NET.10"
  e2e_client
}

# e2e_client: the namespace clients run in (in-cluster clients: they resolve pods).
e2e_client() { e2e_netns client "$E2E_NET.5"; }

e2e_zookeeper_start() {
  mkdir -p "$E2E_RUN/pods/zk/data"
  ip netns exec "${E2E_NS_PREFIX}zk" unshare --uts -- sh -c 'hostname zk-0; exec "$@"' sh \
    "$E2E_JAVA" -Xmx128m -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
    "-Dlog4j.configuration=file:$E2E_RUN/conf/broker-log4j.properties" \
    -Dzookeeper.admin.enableServer=false -Dzookeeper.4lw.commands.whitelist=ruok,srvr \
    -cp "$E2E_LIBS/*" org.apache.zookeeper.server.ZooKeeperServerMain 32181 "$E2E_RUN/pods/zk/data" \
    > "$E2E_RUN/logs/zk.log" 2>&1 &
  E2E_PID[zk]=$!
  disown "${E2E_PID[zk]}"
  wait_for 60 "ZooKeeper answers ruok" zk_ruok
  e2e_log "ZooKeeper up at zk-service.zk:32181 (pid ${E2E_PID[zk]})"
}

zk_ruok() {
  in_pod client bash -c 'exec 3<>/dev/tcp/zk-service.zk/32181 && printf ruok >&3 && read -r -t 2 a <&3; [ "$a" = imok ]'
}

# zk_cli COMMAND...: runs ZooKeeper's own shell once per line of stdin-less commands.
zk_cli() {
  printf '%s\n' "$@" | in_pod client "$E2E_JAVA" $E2E_CLIENT_JVM "$E2E_TOOLS_LOG" -cp "$E2E_LIBS/*" \
    org.apache.zookeeper.ZooKeeperMain -server zk-service.zk:32181 2>/dev/null
}

# ---- pods ---------------------------------------------------------------------

# The Kafka container's env for a pod, from the k8s manifests (scripts/pod-env.sh).
e2e_manifest_env() {
  local name=$1 overlay=${E2E_OVERLAY[$1]}
  if [ -f "$E2E_REPO/k8s/overlays/$overlay/kustomization.yaml" ] && [ "${E2E_TEMP_ENV:-0}" != 1 ]; then
    "$E2E_REPO/scripts/pod-env.sh" "$overlay" "${E2E_STS[$name]}" "$name" "${E2E_HOST_IP:-$E2E_NET.1}"
  else
    # Stand-in while k8s/overlays/$overlay does not exist: the seed's settings.
    echo "WARNING: no k8s/overlays/$overlay: $name runs on a stand-in env, not the manifests" >&2
    printf '%s\n' KAFKA_CFG_ZOOKEEPER_CONNECT=zk-service.zk:32181 \
      KAFKA_CFG_LISTENERS=PLAINTEXT_INTERNAL://:39092 ALLOW_PLAINTEXT_LISTENER=yes \
      KAFKA_INIT_REPLICAS=3 "POD_NAME=$name" POD_NAMESPACE=kafka
  fi
}

# e2e_env_file NAME [KEY=VALUE | -KEY]...: writes the pod's env file: the
# manifest's env, then the local run's overrides (KEY=VALUE replaces, -KEY removes).
e2e_env_file() {
  local name=$1; shift
  local f="$E2E_RUN/pods/$name/env" base="$E2E_RUN/pods/$name/env.manifest" kv drop=()
  e2e_manifest_env "$name" > "$base" || { echo "pod-env.sh failed for $name" >&2; return 1; }
  if grep -q -x 'KAFKA_INIT_FLAVOR=apache' "$base"; then
    # The properties flavor reads Kafka settings as KAFKA_CFG_<KEY>; the apache
    # image's KAFKA_<KEY> (e.g. KAFKA_LOG_DIRS) is renamed, same key.
    sed -i -E '/^KAFKA_(INIT|CFG|HEAP|JVM|LOG4J|GC|JMX)_|^KAFKA_OPTS=|^KAFKA_[A-Z0-9_]*__/!s/^KAFKA_/KAFKA_CFG_/' "$base"
  fi
  local overrides=(
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    "HOSTNAME=$name"
    KAFKA_INIT_FLAVOR=properties
    # The image states its version (Bitnami's APP_VERSION); this run is its own image.
    "KAFKA_INIT_KAFKA_VERSION=$E2E_KAFKA_VERSION"
    "KAFKA_INIT_FORMAT_COMMAND=$E2E_JAVA $E2E_CLIENT_JVM $E2E_TOOLS_LOG -cp $E2E_LIBS/* kafka.tools.StorageTool"
    "KAFKA_CFG_LOG_DIRS=$E2E_RUN/pods/$name/data"
    "KAFKA_INIT_CONFIG_DIR=$E2E_RUN/pods/$name/config"
    "$@")
  for kv in "${overrides[@]}"; do drop+=("${kv#-}"); done
  { grep -v -E "^($(printf '%s|' "${drop[@]%%=*}" | sed 's/|$//'))=" "$base" || true
    for kv in "${overrides[@]}"; do [ "${kv#-}" = "$kv" ] && printf '%s\n' "$kv"; done
  } > "$f"
  echo "$f"
}

# The pod's command: kafka-init exec, which appends server.properties' path.
e2e_pod_cmd() {
  # shellcheck disable=SC2206
  E2E_CMD=("$E2E_INIT" exec --flavor properties -- "$E2E_JAVA" $E2E_BROKER_JVM $E2E_BROKER_LOG
    "-Dkafka.logs.dir=$E2E_RUN/pods/$1/logs" -cp "$E2E_LIBS/*" kafka.Kafka)
}

# e2e_pod_argv NAME ENV_FILE: sets E2E_ARGV to the pod's full command line:
# ENV_FILE's env only (env -i), the pod's hostname (a UTS namespace), its
# network namespace; then, as the StatefulSet's initContainer does, `kafka-init
# prepare` as root (it owns the data and config dirs for the broker's user, and
# checks meta.properties against the pod's id on every restart); then, as the
# Kafka container does, kafka-init exec as that non-root user (setpriv). ip,
# unshare, env, bash and setpriv all exec, so a backgrounded E2E_ARGV's pid is
# that of kafka-init, then of the JVM it execs.
e2e_pod_argv() {
  local name=$1 envfile=$2
  e2e_pod_cmd "$name"
  E2E_ARGV=(ip netns exec "$E2E_NS_PREFIX$name" unshare --uts -- env -i /bin/bash -c '
    hostname "$1"; while IFS= read -r l; do [ -n "$l" ] && export "$l"; done < "$2"; logs=$3; shift 3
    "$1" prepare || exit $?
    ids=$("$1" plan --format json | sed -n "s/.*\"run_as\": \"\([0-9]*\):\([0-9]*\)\".*/\1 \2/p")
    mkdir -p "$logs" && chown "${ids% *}:${ids#* }" "$logs"
    exec setpriv --reuid="${ids% *}" --regid="${ids#* }" --clear-groups -- "$@"'
    bash "$name" "$envfile" "$E2E_RUN/pods/$name/logs" "${E2E_CMD[@]}")
}

# e2e_pod_start NAME [overrides...]: starts the pod in the background.
e2e_pod_start() {
  local name=$1; shift
  local envfile; envfile=$(e2e_env_file "$name" "$@")
  e2e_pod_argv "$name" "$envfile"
  echo "---- start $(date +%T.%N)" >> "$E2E_RUN/logs/$name.log"
  "${E2E_ARGV[@]}" >> "$E2E_RUN/logs/$name.log" 2>&1 &
  E2E_PID[$name]=$!
  disown "${E2E_PID[$name]}"   # no "Killed" job notices; e2e_pod_kill waits by pid
  e2e_log "started $name (pid ${E2E_PID[$name]}, ${E2E_FQDN[$name]} at ${E2E_IP[$name]})"
}

# e2e_pod_run NAME [overrides...]: runs the pod in the foreground; sets E2E_RC and E2E_ELAPSED_MS.
e2e_pod_run() {
  local name=$1; shift
  local envfile t0; envfile=$(e2e_env_file "$name" "$@")
  e2e_pod_argv "$name" "$envfile"
  echo "---- run $(date +%T.%N)" >> "$E2E_RUN/logs/$name.log"
  t0=$(e2e_ms)
  E2E_RC=0
  timeout 180 "${E2E_ARGV[@]}" >> "$E2E_RUN/logs/$name.log" 2>&1 || E2E_RC=$?
  E2E_ELAPSED_MS=$(( $(e2e_ms) - t0 ))
}

# e2e_kafka_direct NAME PROPERTIES_FILE: Kafka alone (no kafka-init) on a
# hand-written server.properties, in the pod; sets E2E_RC and E2E_ELAPSED_MS.
e2e_kafka_direct() {
  local name=$1 props=$2 t0
  echo "---- kafka alone on $props $(date +%T.%N)" >> "$E2E_RUN/logs/$name.log"
  t0=$(e2e_ms)
  E2E_RC=0
  # shellcheck disable=SC2086
  in_pod "$name" timeout 120 "$E2E_JAVA" $E2E_BROKER_JVM "$E2E_BROKER_LOG" \
    "-Dkafka.logs.dir=$E2E_RUN/pods/$name/logs" -cp "$E2E_LIBS/*" kafka.Kafka "$props" \
    >> "$E2E_RUN/logs/$name.log" 2>&1 || E2E_RC=$?
  E2E_ELAPSED_MS=$(( $(e2e_ms) - t0 ))
}

# kill -9 of the pod's process (the JVM), as a node or container crash would.
e2e_pod_kill() {
  local name=$1
  kill -9 "${E2E_PID[$name]}"
  wait_for 10 "$name gone" bash -c '! kill -0 "$1"' bash "${E2E_PID[$name]}"
  e2e_log "killed -9 $name (pid ${E2E_PID[$name]})"
}

e2e_pod_alive() { kill -0 "${E2E_PID[$1]}" 2>/dev/null; }

# Processes in the pod's namespace (empty when none).
e2e_pod_pids() { ip netns pids "$E2E_NS_PREFIX$1" 2>/dev/null | tr '\n' ' '; }

# True once the pod's log (since its last start) says Kafka started; when the
# classpath left Kafka without a logger (SLF4J NOP), once its first listener
# accepts connections.
e2e_broker_started() {
  local since port
  since=$(sed -n '/^---- start/h; /^---- start/!H; ${x;p}' "$E2E_RUN/logs/$1.log")
  grep -q -E 'KafkaServer id=[0-9]+\] started|Kafka Server started|Transition from STARTING to STARTED' <<<"$since" && return 0
  grep -q 'Defaulting to no-operation (NOP) logger' <<<"$since" || return 1
  port=$(sed -n 's/^listeners=[A-Z_]*:\/\/[^:]*:\([0-9]*\).*/\1/p' "$E2E_RUN/pods/$1/config/server.properties" 2>/dev/null)
  [ -n "$port" ] && e2e_port_open "$1" "$port"
}

# e2e_port_open POD PORT: the pod accepts TCP connections on PORT (from the client namespace).
e2e_port_open() {
  in_pod client timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' bash "${E2E_FQDN[$1]}" "$2" 2>/dev/null
}

# in_pod_with_env POD ENV_FILE COMMAND...: COMMAND in the pod's network
# namespace with exactly the environment in ENV_FILE (one NAME=value a line).
in_pod_with_env() {
  local name=$1 env_file=$2; shift 2
  in_pod "$name" env -i /bin/bash -c \
    'while IFS= read -r l; do [ -n "$l" ] && export "$l"; done < "$1"; shift; exec "$@"' \
    bash "$env_file" "$@"
}

# kafka_init_in POD ARGS...: `kafka-init ARGS` in the pod's network namespace
# with the pod's environment (the env file of its last start), as
# `kubectl exec` would run it.
kafka_init_in() {
  local name=$1; shift
  in_pod_with_env "$name" "$E2E_RUN/pods/$name/env" "$E2E_INIT" "$@"
}

# ready POD: `kafka-init probe --ready` in POD, as the kubelet's readiness
# probe runs it; its messages, and a line per verdict (a pass says nothing
# of its own), go to logs/POD.probe.log, at debug level: a broker's
# verdict comes with the metadata it judged. A failure also shows its
# message on stdout (which `check` prints and `wait_for` discards).
ready() {
  local rc=0 log="$E2E_RUN/logs/$1.probe.log"
  in_pod_with_env "$1" "$E2E_RUN/pods/$1/env" env KAFKA_INIT_LOG=debug "$E2E_INIT" probe --ready --timeout 5s 2>>"$log" || rc=$?
  printf '%s probe --ready exit %s\n' "$(date -u +%H:%M:%S.%N | cut -c1-12)" "$rc" >>"$log"
  [ "$rc" -eq 0 ] || tail -2 "$log" | sed 's/^/      probe: /'
  return "$rc"
}

# wait_ready SECONDS POD: until `probe --ready` passes twice in a row, 2 s
# apart (the manifests' readinessProbe: twice, 1 s apart; here a little
# stricter): what the manifests' readinessProbe (successThreshold: 2) waits for
# before a rolling update moves on to the next pod. On a timeout, the last
# failure's message.
wait_ready() {
  local deadline=$(( $(date +%s) + $1 )) pod=$2 passes=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ready "$pod" >/dev/null; then
      passes=$((passes + 1))
      [ "$passes" -ge 2 ] && return 0
      sleep 2
    else
      passes=0
      sleep 0.5
    fi
  done
  tail -2 "$E2E_RUN/logs/$pod.probe.log" | sed 's/^/      probe: /'
  e2e_log "timed out after $1s: $pod ready twice in a row"
  return 1
}

# audit NAME [ARGS]: `kubectl exec kafka-0 -- kafka-init audit --format json
# ARGS`, the JSON kept as audit-NAME.json, its exit status in E2E_RC.
audit() {
  local name=$1; shift
  E2E_RC=0
  kafka_init_in kafka-0 audit --format json "$@" > "$E2E_RUN/audit-$name.json" 2>>"$E2E_RUN/logs/kafka-0.audit.log" || E2E_RC=$?
}

# ---- clients (run in the client namespace, resolve pods like an in-cluster client) ---

# kafka_tool CLASS ARGS...: one of Kafka's own tools from the same classpath.
kafka_tool() {
  local cls=$1; shift
  # shellcheck disable=SC2086
  in_pod client "$E2E_JAVA" $E2E_CLIENT_JVM "$E2E_TOOLS_LOG" -cp "$E2E_LIBS/*" "$cls" "$@" 2> >(grep -v '^SLF4J:' >&2)
}

# kcat metadata of a topic as JSON.
kcat_meta() { in_pod client kcat -b "$1" -m 10 -L -J -t "$2" 2>/dev/null; }

# ---- topics, producing, consuming (BOOTSTRAP, host:port, is set by the scenario) ----

# VerifiableProducer defaults to retries=0; a durable producer retries (idempotently).
e2e_producer_config() {
  printf '%s\n' enable.idempotence=true retries=2147483647 max.in.flight.requests.per.connection=5 > "$E2E_RUN/producer.properties"
}
create_topic() { kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$1" --partitions "${2:-3}"; }
describe() { kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --describe --topic "$1"; }
# isr_sizes TOPIC: one ISR size per partition (kcat metadata: cheap to poll).
isr_sizes() { kcat_meta "$BOOTSTRAP" "$1" | jq -r '.topics[0].partitions[] | .isrs | length' | tr '\n' ' '; }
all_isr_3() { local t; for t in "$@"; do [ "$(isr_sizes "$t")" = "3 3 3 " ] || return 1; done; }
# all_in_sync TOPIC: the topic exists and every partition has all its replicas in sync.
all_in_sync() { kcat_meta "$BOOTSTRAP" "$1" | jq -e '.topics[0].partitions | length > 0 and all((.isrs | length) == (.replicas | length))' >/dev/null; }
leader_of() { kcat_meta "$BOOTSTRAP" "$1" | jq -r ".topics[0].partitions[] | select(.partition==$2) | .leader"; }
# one_partition_in_sync_3 TOPIC: the topic's one partition has 3 replicas in sync.
one_partition_in_sync_3() { [ "$(isr_sizes "$1")" = "3 " ]; }
# reassign_to_3 TOPIC: the runbook's fix for a one-partition topic of factor 1:
# a reassignment to brokers 0, 1 and 2 with its leader first (the leader stays),
# then up to 90 s for all three in sync.
reassign_to_3() {
  local leader
  leader=$(leader_of "$1" 0)
  printf '{"version":1,"partitions":[{"topic":"%s","partition":0,"replicas":[%s]}]}\n' \
    "$1" "$(printf '%s\n' "$leader" 0 1 2 | awk '!seen[$0]++' | paste -sd,)" > "$E2E_RUN/reassign.json"
  kafka_tool org.apache.kafka.tools.reassign.ReassignPartitionsCommand --bootstrap-server "$BOOTSTRAP" \
    --reassignment-json-file "$E2E_RUN/reassign.json" --execute >/dev/null
  wait_for 90 "$1 reassigned to 3 replicas in sync" one_partition_in_sync_3 "$1" || true
}

# produce TOPIC OUT ARGS...: VerifiableProducer with acks=all, one JSON line per
# acknowledged message; 30 repeating keys spread the messages over all partitions.
produce() {
  local topic=$1 out=$2; shift 2
  kafka_tool org.apache.kafka.tools.VerifiableProducer --bootstrap-server "$BOOTSTRAP" --topic "$topic" \
    --acks -1 --producer.config "$E2E_RUN/producer.properties" --repeating-keys 30 "$@" > "$out" 2>"$out.err"
}
# consume TOPIC OUT: everything, as "partition offset value" lines, until the end of every partition.
consume() { in_pod client kcat -b "$BOOTSTRAP" -C -t "$1" -o beginning -e -q -f '%p %o %s\n' > "$2"; }
