#!/usr/bin/env bash
# End-to-end, ZooKeeper to KRaft (KIP-866) and on to Kafka 4.4, in place, with
# an acks=all producer and a consumer running throughout: docs/guides/
# zookeeper-to-kraft.md, step by step, on the seed's three ZooKeeper-mode brokers
# (Kafka 3.9.2, env from k8s/overlays/zookeeper, then k8s/overlays/migration
# with KAFKA_INIT_MIGRATION set per phase) and three controllers
# kafka-controller-0..2 (ids 3000..3002, k8s/overlays/migration, its controllers from k8s/components/migration).
#
# 0. Three ZooKeeper brokers with an ACL authorizer; a factor-3 topic with a
#    config override, a topic with an ACL (hidden from ANONYMOUS); producer
#    (acks=all, idempotent, 100 msg/s) and consumer (kcat) from here to the end.
#    Guard rails, each a bad start refused with 78 before any JVM: a
#    controller without the flag, a controller id among the brokers', finalize
#    while brokers run ZooKeeper mode, IBP 3.5, Kafka 4 on a migrating node,
#    /cluster/id unreadable (wrong chroot), a broker id among the controllers'.
# 1. controllers: three controllers join with the flag (formatted with the id
#    read from ZooKeeper).  2. migration-mode (Apache's "enter migration mode
#    on the brokers"; spelled enter-migration-mode here, the deprecated
#    dual-write once below): the brokers roll. A broker rolled to
#    kraft-brokers before the metadata copy is refused (78) first.
# R. Rollback (research §5), in Apache's order: the epoch check (`migration
#    status` and zookeeper-shell: ZooKeeper's /controller_epoch above /migration's
#    kraft_controller_epoch); when NOT safe, Apache's workaround (`set
#    /controller_epoch <KRaft epoch + 1>`) and the check again, now safe; delete
#    the controllers (still safe by /migration), delete /controller (a broker is
#    elected above the KRaft epoch) and /migration, roll the brokers without
#    the flag; counts checked; a
#    controller started on its attempt-1 volume is refused (78, the volume
#    unchanged); then the migration starts again from 1 with new controllers
#    on empty volumes, whose volume rail passes (plan) in migration-mode.
# 3. kraft-brokers: the brokers roll to KRaft (StandardAuthorizer); a
#    controller rolled to `finalized` too early is refused (78) first, and
#    one whose ZooKeeper cannot be read (a name that does not resolve).
# 4. finalized: the controllers roll one at a time; ZooKeeper is stopped.
# 5. Kafka 4.4.0: every pod rolls; metadata.version raised to 4.0; a broker
#    started in plain KRaft (no KAFKA_INIT_MIGRATION) on its v0
#    meta.properties is refused (78).
# At each step: `kafka-init migration status`, the brokers' ids and their
# registrations (ZooKeeper, kcat metadata). At the end: nothing acknowledged
# lost, the longest gap between acknowledgements, topics, configs and the
# ACL. Ends with `N passed, N failed`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

V3=${KAFKA_VERSION:-3.9.2}
V4=${KAFKA_NEW_VERSION:-4.4.0}
PORT=39092
# shellcheck disable=SC2034 # lib.sh's client functions read it
BOOTSTRAP="kafka.kafka.svc.cluster.local:$PORT"
BROKERS=(kafka-0 kafka-1 kafka-2)
CONTROLLERS=(kafka-controller-0 kafka-controller-1 kafka-controller-2)
ACL_ZK=(KAFKA_CFG_AUTHORIZER_CLASS_NAME=kafka.security.authorizer.AclAuthorizer
        KAFKA_CFG_ALLOW_EVERYONE_IF_NO_ACL_FOUND=true KAFKA_CFG_SUPER_USERS=User:admin)
ACL_KRAFT=(KAFKA_CFG_AUTHORIZER_CLASS_NAME=org.apache.kafka.metadata.authorizer.StandardAuthorizer
           KAFKA_CFG_ALLOW_EVERYONE_IF_NO_ACL_FOUND=true KAFKA_CFG_SUPER_USERS=User:admin)
T_START=$(e2e_ms)

e2e_init zk-to-kraft "$V3"
e2e_zookeeper
for p in "${BROKERS[@]}"; do e2e_pod "$p" kafka kafka zookeeper kafka; done
for p in "${CONTROLLERS[@]}"; do e2e_pod "$p" kafka-controller kafka migration kafka-controller; done
e2e_hosts
e2e_zookeeper_start

declare -a TIMINGS=() WINDOWS=() REFUSALS=()
PHASE_T0=$(e2e_ms)
# Each phase's name and time, and its window (epoch ms) for the end's
# per-phase longest acknowledgement gap.
phase_done() {
  local now; now=$(e2e_ms)
  TIMINGS+=("$(printf '%-44s %6d ms' "$1" $(( now - PHASE_T0 )))"); WINDOWS+=("$PHASE_T0 $now"); PHASE_T0=$now
}

# Kafka's own tools, by version (classes moved to the tools module in 4.0).
acl_tool() { case $E2E_KAFKA_VERSION in 3.*) echo kafka.admin.AclCommand ;; *) echo org.apache.kafka.tools.AclCommand ;; esac; }
config_tool() { case $E2E_KAFKA_VERSION in 3.*) echo kafka.admin.ConfigCommand ;; *) echo org.apache.kafka.tools.ConfigCommand ;; esac; }
# use_version V: later pods, tools and format commands run Kafka V (same network).
use_version() {
  E2E_KAFKA_VERSION=$1 E2E_LIBS="$E2E_REPO/target/kafka/$1/libs"
  e2e_log_config
}

# ---- state at each step --------------------------------------------------------

# status: `kubectl exec kafka-controller-0 -- kafka-init migration status --format json`.
status() {
  kafka_init_in kafka-controller-0 migration status --format json --timeout 5s 2>>"$E2E_RUN/logs/status.log" \
    | tee -a "$E2E_RUN/status.json"
}
phase_is() { [ "$(status | jq -r .phase)" = "$1" ]; }
check_status() {
  local want=$1 got
  wait_for 120 "migration status says $want" phase_is "$want" || true
  got=$(status | jq -c '{phase, zk_brokers: .zookeeper.brokers, voters: .controllers.voters, observers: .controllers.observers}' || true)
  check "migration status says $want ($got)" phase_is "$want"
}
zk_brokers() { zk_cli "ls /brokers/ids" | grep -E '^\[' | tail -1; }
# kcat's view: each broker id with the host it registered (its pod's FQDN).
kcat_brokers() { in_pod client kcat -b "$BOOTSTRAP" -m 10 -L -J 2>/dev/null | jq -c '[.brokers[] | "\(.id)=\(.name)"] | sort'; }
WANT_BROKERS='["0=kafka-0.kafka.kafka.svc.cluster.local:39092","1=kafka-1.kafka.kafka.svc.cluster.local:39092","2=kafka-2.kafka.kafka.svc.cluster.local:39092"]'
# check_brokers ZK_IDS|none STEP: kcat's brokers, and ZooKeeper's /brokers/ids (none: ZooKeeper is down).
check_brokers() {
  local zk=$1 got
  got=$(kcat_brokers || true)
  check "$2: the brokers are 0, 1, 2 at their pods' FQDNs (kcat: $got)" [ "$got" = "$WANT_BROKERS" ]
  if [ "$zk" = none ]; then
    check "$2: ZooKeeper is stopped (no answer to ruok)" zk_down
  else
    got=$(zk_brokers || true)
    check "$2: ZooKeeper /brokers/ids is $zk (got $got)" [ "$got" = "$zk" ]
  fi
}
zk_down() { ! in_pod client timeout 3 bash -c 'exec 3<>/dev/tcp/zk-service.zk/32181 && printf ruok >&3 && read -r -t 2 a <&3; [ "$a" = imok ]' 2>/dev/null; }

pod_stop() {
  kill -TERM "${E2E_PID[$1]}"
  wait_for 120 "$1 stopped" bash -c '! kill -0 "$1"' bash "${E2E_PID[$1]}" || { kill -9 "${E2E_PID[$1]}"; sleep 1; }
}
# roll POD... -- OVERRIDES...: one pod at a time, highest ordinal first, each
# next only once probe --ready passes twice in a row (wait_ready).
roll() {
  local pods=() p
  while [ "$1" != -- ]; do pods=("$1" "${pods[@]}"); shift; done; shift
  for p in "${pods[@]}"; do
    pod_stop "$p"
    e2e_pod_start "$p" "$@"
    r=0; wait_ready 180 "$p" || r=$?
    check "rolled $p: probe --ready passes twice in a row" [ "$r" -eq 0 ]
  done
}

# refused WHAT POD OVERRIDES...: a start of POD that kafka-init must refuse
# (78) before anything runs, on scratch dirs; its messages are kept.
refused() {
  local what=$1 pod=$2; shift 2
  local bad="$E2E_RUN/pods/$pod/bad" log="$E2E_RUN/logs/$pod.log" before said
  rm -rf "$bad"; mkdir -p "$bad"; touch "$log"
  before=$(wc -l < "$log")
  e2e_pod_run "$pod" "KAFKA_CFG_LOG_DIRS=$bad/data" "KAFKA_INIT_CONFIG_DIR=$bad/config" "$@"
  REFUSED_TEXT=$(tail -n +"$((before + 1))" "$log" | grep -v '^----' || true)
  said=$(grep -E '^ *1\. ' <<<"$REFUSED_TEXT" | head -1 | sed 's/^ *//' | cut -c1-160 || true)
  check "refused: $what: exit 78 (got $E2E_RC in $E2E_ELAPSED_MS ms), nothing formatted or written" \
    bash -c '[ "$1" -eq 78 ] && [ ! -e "$2/data/meta.properties" ] && [ ! -e "$2/config/server.properties" ] && ! tail -n +"$3" "$4" | grep -q -E "KafkaConfig values|Formatting"' \
    bash "$E2E_RC" "$bad" "$((before + 1))" "$log"
  REFUSALS+=("$(printf '%-58s exit %s  %s' "$what" "$E2E_RC" "$said")")
  rm -rf "$bad"
}

# ---- 0. the ZooKeeper cluster, workload, guard rails -------------------------

for p in "${BROKERS[@]}"; do e2e_pod_start "$p" "${ACL_ZK[@]}"; done
for p in "${BROKERS[@]}"; do wait_for 120 "$p started" ready "$p" || true; done
e2e_producer_config
kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic durable \
  --partitions 3 --replication-factor 3 --config retention.ms=123456789 >/dev/null
kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic guarded \
  --partitions 1 --replication-factor 3 >/dev/null
kafka_tool "$(acl_tool)" --bootstrap-server "$BOOTSTRAP" --add --allow-principal User:alice \
  --operation Read --topic guarded >/dev/null
wait_for 60 "durable fully in sync" all_isr_3 durable || true
acls() { kafka_tool "$(acl_tool)" --bootstrap-server "$BOOTSTRAP" --list --topic guarded 2>/dev/null | grep -c 'principal=User:alice, host=\*, operation=READ, permissionType=ALLOW' || true; }
topic_config() { kafka_tool "$(config_tool)" --bootstrap-server "$BOOTSTRAP" --describe --entity-type topics --entity-name durable 2>/dev/null | grep -o 'retention.ms=123456789' | head -1 || true; }
# The topics a client without ACLs sees (guarded has an ACL, for alice only).
visible_topics() { in_pod client kcat -b "$BOOTSTRAP" -L -J 2>/dev/null | jq -c '[.topics[].topic | select(test("^__") | not)] | sort' || true; }
check "before: the ACL User:alice READ on topic guarded exists" [ "$(acls)" = 1 ]
check "before: topic guarded is hidden from ANONYMOUS by its ACL (visible: $(visible_topics))" [ "$(visible_topics)" = '["durable"]' ]
check "before: topic durable has its override retention.ms=123456789" [ "$(topic_config)" = retention.ms=123456789 ]
check_brokers '[0, 1, 2]' "ZooKeeper mode"
for p in "${BROKERS[@]}"; do cp "$E2E_RUN/pods/$p/data/meta.properties" "$E2E_RUN/$p.meta.before"; done

# The producer and the consumer, started once and stopped at the very end
# (the JVM and kcat are the background pids: killed by pid). kcat -E: a
# roll can leave librdkafka with every known broker down for a moment,
# which ends kcat otherwise.
( exec ip netns exec "${E2E_NS_PREFIX}client" "$E2E_JAVA" $E2E_CLIENT_JVM "$E2E_TOOLS_LOG" -cp "$E2E_LIBS/*" \
    org.apache.kafka.tools.VerifiableProducer --bootstrap-server "$BOOTSTRAP" --topic durable --acks -1 \
    --producer.config "$E2E_RUN/producer.properties" --repeating-keys 30 --max-messages 10000000 --throughput 100 ) \
  > "$E2E_RUN/durable.produced" 2>"$E2E_RUN/durable.produced.err" &
P_PRODUCER=$!
( exec ip netns exec "${E2E_NS_PREFIX}client" kcat -b "$BOOTSTRAP" -C -E -t durable -o beginning -q -f '%p %o %s\n' ) \
  > "$E2E_RUN/durable.live" 2>"$E2E_RUN/durable.live.err" &
P_CONSUMER=$!
wait_for 60 "first acknowledgements" grep -q producer_send_success "$E2E_RUN/durable.produced" || true
acked_now() { grep -c producer_send_success "$E2E_RUN/durable.produced" || true; }
phase_done "0 ZooKeeper cluster, topics, ACL, workload"

# Controllers started wrongly, refused before they can mark the cluster.
e2e_env_file kafka-controller-0 KAFKA_INIT_MIGRATION=controllers >/dev/null   # its env, for status
check_status zookeeper
refused "controller without the migration flag (ZooKeeper brokers exist)" kafka-controller-0 -KAFKA_INIT_MIGRATION
refused "controller ids 0.., the brokers' (both id offsets 0)" kafka-controller-0 KAFKA_INIT_MIGRATION=controllers KAFKA_INIT_ID_OFFSET=0 KAFKA_INIT_CONTROLLER_ID_OFFSET=0
refused "finalize while brokers run in ZooKeeper mode" kafka-controller-0 KAFKA_INIT_MIGRATION=finalized
refused "inter.broker.protocol.version 3.5 on a migrating controller" kafka-controller-0 KAFKA_INIT_MIGRATION=controllers KAFKA_CFG_INTER_BROKER_PROTOCOL_VERSION=3.5
refused "Kafka 4.4.0 on a controller that still uses ZooKeeper" kafka-controller-0 KAFKA_INIT_MIGRATION=controllers KAFKA_INIT_KAFKA_VERSION=4.4.0
refused "a controller that cannot read /cluster/id (wrong chroot)" kafka-controller-0 KAFKA_INIT_MIGRATION=controllers KAFKA_CFG_ZOOKEEPER_CONNECT=zk-service.zk:32181/elsewhere
refused "a broker whose id is a controller's (controller id offset 0)" kafka-2 KAFKA_INIT_MIGRATION=controllers \
  KAFKA_INIT_CONTROLLER_STATEFULSET=kafka-controller KAFKA_INIT_CONTROLLER_REPLICAS=3 KAFKA_INIT_CONTROLLER_ID_OFFSET=0 "${ACL_ZK[@]}"
phase_done "0 guard rails (7 bad starts)"

# The brokers' Kafka settings are the same under the migration overlay in
# phase controllers as under the zookeeper overlay: the roll the overlay
# change causes is a plain restart (checked here by plan, not rolled).
same_plan() {
  local a b
  a=$(kafka_init_in kafka-0 plan --format env 2>/dev/null | sort)
  E2E_OVERLAY[kafka-0]=migration
  e2e_env_file kafka-0 KAFKA_INIT_MIGRATION=controllers "${ACL_ZK[@]}" >/dev/null
  b=$(kafka_init_in kafka-0 plan --format env 2>/dev/null | sort)
  [ -n "$a" ] && [ "$a" = "$b" ]
}
check "phase controllers: a broker's plan under the migration overlay equals the zookeeper overlay's" same_plan
for p in "${BROKERS[@]}"; do E2E_OVERLAY[$p]=migration; done

# ---- 1-2, then roll back, then 1-2 again ----------------------------------------

start_controllers() {
  for p in "${CONTROLLERS[@]}"; do rm -rf "$E2E_RUN/pods/$p/data"/* "$E2E_RUN/pods/$p/config"/*; e2e_pod_start "$p" KAFKA_INIT_MIGRATION=controllers; done
  for p in "${CONTROLLERS[@]}"; do
    r=0; wait_ready 120 "$p" || r=$?
    check "$1: $p answers probe --ready twice in a row" [ "$r" -eq 0 ]
  done
  check "$1: controller storage formatted with the brokers' cluster id (from ZooKeeper)" bash -c \
    '[ "$(sed -n "s/^cluster.id=//p" "$1")" = "$(sed -n "s/^cluster.id=//p" "$2")" ]' bash \
    "$E2E_RUN/pods/kafka-controller-0/data/meta.properties" "$E2E_RUN/kafka-0.meta.before"
  check_status controllers
  check_brokers '[0, 1, 2]' "$1"
  refused "$1: a broker rolled to KRaft before the metadata copy (/migration offset -1)" kafka-2 KAFKA_INIT_MIGRATION=kraft-brokers "${ACL_KRAFT[@]}"
  check "$1: the refusal names the phase, what ZooKeeper says and the fix" \
    bash -c 'grep -q -E "kraft_metadata_offset is -1|/migration does not exist" <<<"$1" && grep -q "Completed migration of metadata" <<<"$1"' bash "$REFUSED_TEXT"
  phase_done "$1: 3 controllers join"
}
dual_write() {
  roll "${BROKERS[@]}" -- KAFKA_INIT_MIGRATION=enter-migration-mode "${ACL_ZK[@]}"
  check_status migration-mode
  check_brokers '[0, 1, 2]' "$1"
  check "$1: the brokers are observers of the controller quorum" \
    bash -c '[ "$(jq -c "[.controllers.observers[]?] | sort" <<<"$1")" = "[0,1,2]" ]' bash "$(status)"
  phase_done "$1: brokers rolled to migration-mode"
}
start_controllers "1 controllers"
# The state Apache's rollback check is for, made the way a cluster gets
# there: the quorum's leader changes before the brokers enter migration
# mode (controllers restarted while provisioning) each raise the KRaft
# epoch, while ZooKeeper's /controller_epoch moves only with ZooKeeper-mode
# controller elections, and the KRaft controller's claim of ZooKeeper adds
# one. The brokers' roll into migration mode adds up to three more (each
# broker that stops while it is the ZooKeeper-mode controller: seen here,
# 1 before the roll, 4 at the rollback). So the active controller is
# restarted until the KRaft epoch is above ZooKeeper's plus four: at the
# rollback /migration's KRaft epoch is then at least /controller_epoch, and
# the check must find it NOT safe.
zk_controller_epoch() { zk_cli "get /controller_epoch" | grep -E '^[0-9]+$' | tail -1; }
raise_kraft_epoch() {
  local zk kraft leader n=0 p
  zk=$(zk_controller_epoch)
  while kraft=$(status | jq -r '.controllers.epoch // 0') && [ "$kraft" -le $(( zk + 4 )) ] && [ "$n" -lt 15 ]; do
    leader=$(status | jq -r '.controllers.leader // empty')
    p=kafka-controller-$(( ${leader:-3000} - 3000 ))
    pod_stop "$p"
    e2e_pod_start "$p" KAFKA_INIT_MIGRATION=controllers
    wait_ready 120 "$p" || true
    n=$(( n + 1 ))
  done
  RAISED_EPOCHS="ZooKeeper /controller_epoch $zk, KRaft quorum epoch $kraft after $n restarts of the active controller"
  check "1b: the KRaft epoch raised above ZooKeeper's by more than the migration adds to it ($RAISED_EPOCHS)" [ "$kraft" -gt $(( zk + 4 )) ]
  check_status controllers
  phase_done "1b: KRaft epoch raised"
}
raise_kraft_epoch
dual_write "2 migration-mode"

# Rollback from migration mode (research §5), in the order of Apache's 3.9
# revert table ("Enter Migration Mode on the brokers", kafka-site #860):
# 1. the epoch check: ZooKeeper's /controller_epoch against the KRaft
#    controller epoch (/migration's kraft_controller_epoch); if the KRaft
#    epoch is higher, `set /controller_epoch <value>` (value above it);
# 2. deprovision the KRaft controller quorum; 3. delete /controller (quickly),
#    get /migration, delete /migration; 4. roll the brokers without the flag.
# Here (raise_kraft_epoch above) the KRaft epoch is at least ZooKeeper's:
# NOT safe, so Apache's workaround runs; the second attempt's new quorum
# starts at epoch 1, safe by itself.
# Apache's check read as its guide says, with ZooKeeper's own shell:
# /controller_epoch's value and /migration's kraft_controller_epoch.
zk_epochs() {
  zk_cli "get /controller_epoch" "get /migration" > "$E2E_RUN/rollback-epochs.txt" || true
  jq -nc --arg zk "$(grep -E '^[0-9]+$' "$E2E_RUN/rollback-epochs.txt" | tail -1)" \
    --argjson m "$(grep -E '^\{.*kraft_controller_epoch' "$E2E_RUN/rollback-epochs.txt" | tail -1 || echo null)" \
    '{zk: ($zk | tonumber? // null), kraft: $m.kraft_controller_epoch}' 2>/dev/null || echo '{}'
}
# epoch_check: what `migration status` says, beside the shell's reading.
epoch_check() {
  status | jq -c --argjson shell "$(zk_epochs)" '{safe: .rollback.safe, zk_epoch: .rollback.zk_epoch, kraft_epoch: .rollback.kraft_epoch,
    migration_epoch: .zookeeper.migration.kraft_controller_epoch, quorum_epoch: .controllers.epoch, shell: $shell, why: .rollback.why}' || true
}
# Apache's rule on one reading: ZooKeeper's epoch above /migration's and
# (while a leader answers) the quorum's, and status agrees with the shell.
apache_rule() {
  jq -e '(.zk_epoch|type) == "number" and (.migration_epoch|type) == "number"
    and .shell.zk == .zk_epoch and .shell.kraft == .migration_epoch
    and .kraft_epoch == ([.migration_epoch, .quorum_epoch] | max)
    and .safe == (.zk_epoch > .migration_epoch and (.quorum_epoch == null or .zk_epoch > .quorum_epoch))' <<<"$1" >/dev/null
}
ROLLBACK_CHECK=$(epoch_check)
check "rollback: migration status reads ZooKeeper's, /migration's and the quorum's epochs ($ROLLBACK_CHECK)" \
  bash -c 'jq -e "(.quorum_epoch|type) == \"number\"" <<<"$1" >/dev/null' bash "$ROLLBACK_CHECK"
check "rollback: ... applies Apache's rule, and agrees with zookeeper-shell's get /controller_epoch, get /migration" apache_rule "$ROLLBACK_CHECK"
check "rollback: NOT safe, in Apache's words and with the workaround's value ($ROLLBACK_CHECK)" \
  bash -c 'jq -e ".safe == false and (.why | test(\"set /controller_epoch [0-9]+\"))" <<<"$1" >/dev/null' bash "$ROLLBACK_CHECK"
ROLLBACK_WORKAROUND="none needed"
if [ "$(jq -r .safe <<<"$ROLLBACK_CHECK")" != true ]; then
  # Apache's workaround, exactly: "If the KRaft epoch is higher, run
  # set /controller_epoch <value> (where <value> exceeds the KRaft epoch)".
  # The KRaft epoch is /migration's; the quorum's too when a newer leader
  # has not written /migration yet (status's kraft_epoch is the higher).
  # Setting it changes /controller_epoch's zkVersion, which fences the
  # running KRaft controller's ZooKeeper writes ("Controller epoch zkVersion
  # check fails"): nothing is dual-written from here; the quorum goes next.
  KRAFT_EPOCH=$(jq -r '.kraft_epoch // empty' <<<"$ROLLBACK_CHECK" 2>/dev/null || true)
  if [[ ! $KRAFT_EPOCH =~ ^[0-9]+$ ]]; then
    check "rollback: the KRaft epoch is known, for Apache's workaround (got '$KRAFT_EPOCH')" false
  else
    EPOCH_VALUE=$(( KRAFT_EPOCH + 1 ))
    zk_cli "set /controller_epoch $EPOCH_VALUE" > "$E2E_RUN/rollback-set-epoch.txt" || true
    ROLLBACK_AFTER=$(epoch_check)
    ROLLBACK_WORKAROUND="set /controller_epoch $EPOCH_VALUE, then $ROLLBACK_AFTER"
    check "rollback: after Apache's workaround (set /controller_epoch $EPOCH_VALUE) migration status says safe ($ROLLBACK_AFTER)" \
      bash -c 'jq -e ".safe == true and .zk_epoch == $2 and .zk_epoch > .kraft_epoch" <<<"$1" >/dev/null' bash "$ROLLBACK_AFTER" "$EPOCH_VALUE"
    check "rollback: ... by Apache's rule, as zookeeper-shell reads it" apache_rule "$ROLLBACK_AFTER"
  fi
fi
ACKED_BEFORE_ROLLBACK=$(acked_now)
for p in "${CONTROLLERS[@]}"; do kill -9 "${E2E_PID[$p]}"; done
# Deprovisioned: no leader answers, /migration alone gives the KRaft epoch
# (Apache's check as written). A leader elected while the quorum went
# would have raised both epochs by one: still safe.
# (status alone, no JVM: /controller is deleted without delay.)
ROLLBACK_GONE=$(status | jq -c '{safe: .rollback.safe, zk_epoch: .rollback.zk_epoch, kraft_epoch: .rollback.kraft_epoch,
  migration_epoch: .zookeeper.migration.kraft_controller_epoch, quorum_epoch: .controllers.epoch}' || true)
check "rollback: with the quorum deprovisioned, still safe by /migration ($ROLLBACK_GONE)" \
  bash -c 'jq -e ".safe == true and .quorum_epoch == null and .zk_epoch > .migration_epoch" <<<"$1" >/dev/null' bash "$ROLLBACK_GONE"
zk_cli "deleteall /controller" "get /migration" "deleteall /migration" > "$E2E_RUN/rollback-zk.txt"
# The ZooKeeper-mode controller elected now takes /controller_epoch + 1.
zk_controller_is_broker() { zk_cli "get /controller" | grep -E '^\{' | tail -1 | jq -e '.brokerid < 3000' >/dev/null; }
wait_for 30 "a broker elected ZooKeeper-mode controller" zk_controller_is_broker || true
ZK_CONTROLLER_EPOCH=$(zk_epochs | jq -r .zk)
check "rollback: a broker is the ZooKeeper-mode controller, at epoch $ZK_CONTROLLER_EPOCH, above the KRaft epoch $(jq -r .kraft_epoch <<<"$ROLLBACK_GONE")" \
  bash -c '[ "$1" -gt "$2" ] 2>/dev/null' bash "$ZK_CONTROLLER_EPOCH" "$(jq -r .kraft_epoch <<<"$ROLLBACK_GONE")"
check "rollback: ... (/controller names a broker)" zk_controller_is_broker
for p in "${BROKERS[@]}"; do E2E_OVERLAY[$p]=zookeeper; done
# Kafka 3.9.2: a broker still in dual write may lose its AlterPartition
# channel when the controllers go ("A metric named ... alter-partition-metrics
# already exists"), so a broker rolled before it is not taken back into the
# ISR of the partitions it leads until it too restarts. The runbook's answer:
# a broker not ready within a minute, go on with the next (its leader is
# among them); all three must be ready at the end.
ROLLBACK_NOTES=()
for p in kafka-2 kafka-1 kafka-0; do
  pod_stop "$p"
  e2e_pod_start "$p" "${ACL_ZK[@]}"
  wait_for 60 "$p ready" ready "$p" || ROLLBACK_NOTES+=("$p not ready after 60 s ($(grep ' ERROR ' "$E2E_RUN/logs/$p.probe.log" | tail -1 | sed 's/.*is not ready: //' | cut -c1-90)); went on")
done
for p in "${BROKERS[@]}"; do
  r=0; wait_ready 120 "$p" || r=$?
  check "rolled back $p: probe --ready passes twice in a row" [ "$r" -eq 0 ]
done
[ ${#ROLLBACK_NOTES[@]} -eq 0 ] || printf '      %s\n' "${ROLLBACK_NOTES[@]}"
wait_for 60 "more acknowledgements after the rollback" bash -c '[ "$(grep -c producer_send_success "$1")" -gt "$2" ]' bash "$E2E_RUN/durable.produced" "$ACKED_BEFORE_ROLLBACK" || true
check "rollback: the producer is acknowledged again ($ACKED_BEFORE_ROLLBACK before, $(acked_now) now)" [ "$(acked_now)" -gt "$ACKED_BEFORE_ROLLBACK" ]
check_brokers '[0, 1, 2]' "rolled back"
phase_done "R rollback to ZooKeeper mode"
# The counts after the rollback: everything acknowledged so far is there
# (the producer's output so far, without its possibly unfinished last line).
head -n -1 "$E2E_RUN/durable.produced" > "$E2E_RUN/rollback.produced"
# (The producer goes on, so kcat -e would never see the end: each partition
# is read up to the last offset acknowledged in the snapshot.)
for part in 0 1 2; do
  n=$(acked "$E2E_RUN/rollback.produced" | awk -v p="$part" '$1 == p && $2 + 1 > n {n = $2 + 1} END {print n + 0}')
  [ "$n" -eq 0 ] || in_pod client timeout 60 kcat -b "$BOOTSTRAP" -C -t durable -p "$part" -o beginning -c "$n" -q -f '%p %o %s\n'
done > "$E2E_RUN/rollback.consumed"
tally "$E2E_RUN/rollback.produced" "$E2E_RUN/rollback.consumed"
R_ACKED=$F_ACKED R_LOST=$F_LOST
check "rollback: no acknowledged message lost (lost $R_LOST of $R_ACKED acknowledged so far)" [ "$R_LOST" -eq 0 -a "$R_ACKED" -gt 0 ]
check "rollback: the ACL and the topic config survived" [ "$(acls)" = 1 -a "$(topic_config)" = retention.ms=123456789 ]
for p in "${CONTROLLERS[@]}"; do e2e_env_file "$p" KAFKA_INIT_MIGRATION=controllers >/dev/null; done
check_status zookeeper
for p in "${BROKERS[@]}"; do E2E_OVERLAY[$p]=migration; done

# A controller on its attempt-1 volume (Retain storage keeps it after the
# rollback): its metadata log holds attempt 1's migration and ZooKeeper has
# no /migration any more. Refused (78), nothing written on the volume, no
# JVM; start_controllers below then starts every controller on an empty one.
# Which of the two reasons it names depends on whether kafka-controller-0
# was restarted once /migration existed (raise_kraft_epoch restarts the
# active controller): then its volume records the /migration it ran with.
volume_state() { find "$1" -printf '%P %U:%G %s %m\n' | sort; find "$1" -type f -exec md5sum {} + | sort; }
reused_volume() {
  local p=kafka-controller-0 log="$E2E_RUN/logs/kafka-controller-0.log" bad="$E2E_RUN/pods/kafka-controller-0/bad" before data_before said
  local data="$E2E_RUN/pods/$p/data"
  rm -rf "$bad"; mkdir -p "$bad"; touch "$log"
  before=$(wc -l < "$log"); data_before=$(volume_state "$data")
  e2e_pod_run "$p" KAFKA_INIT_MIGRATION=controllers "KAFKA_INIT_CONFIG_DIR=$bad/config"
  REFUSED_TEXT=$(tail -n +"$((before + 1))" "$log" | grep -v '^----' || true)
  check "refused: a controller on its attempt-1 volume: exit 78 (got $E2E_RC), its volume unchanged, nothing written, no JVM" \
    bash -c '[ "$1" -eq 78 ] && [ "$2" = "$3" ] && [ ! -e "$4/config/server.properties" ] && ! tail -n +"$5" "$6" | grep -q -E "KafkaConfig values|Formatting"' \
    bash "$E2E_RC" "$data_before" "$(volume_state "$data")" "$bad" "$((before + 1))" "$log"
  check "refused: the message names the volume, what it holds, what ZooKeeper says, Apache's rule and the fix" \
    bash -c 'grep -q -F "$2" <<<"$1" && grep -q "belongs to an earlier migration attempt" <<<"$1" && grep -q "has no /migration" <<<"$1" && grep -q "to re-attempt the migration" <<<"$1" && grep -q "retire the old controller volume" <<<"$1" \
      && grep -q -E "__cluster_metadata-0 not empty|its kafka-init-migration says this controller ran with ZooKeeper.s /migration created at zxid" <<<"$1"' \
    bash "$REFUSED_TEXT" "$data"
  said=$(grep -E '^ *1\. ' <<<"$REFUSED_TEXT" | head -1 | sed 's/^ *//' | cut -c1-160 || true)
  REFUSALS+=("$(printf '%-58s exit %s  %s' "a controller on its attempt-1 volume" "$E2E_RC" "$said")")
  rm -rf "$bad"
}
reused_volume

start_controllers "1 controllers (again)"
dual_write "2 migration-mode (again)"
# The same rail passes a controller's restart within this attempt: its
# volume's log is this quorum's and /migration is there (plan decides as exec).
plan_passes() { kafka_init_in "$1" plan >/dev/null 2>>"$E2E_RUN/logs/status.log"; }
check "2 migration-mode (again): kafka-controller-0's volume passes the attempt rail (plan exits 0)" plan_passes kafka-controller-0

# ---- 3. KRaft brokers --------------------------------------------------------------

# A controller rolled to `finalized` too early (brokers in dual write): refused.
pod_stop kafka-controller-2
refused "finalize while the brokers run in dual write" kafka-controller-2 KAFKA_INIT_MIGRATION=finalized
refused "finalize with ZooKeeper unreadable (a name that does not resolve)" kafka-controller-2 KAFKA_INIT_MIGRATION=finalized KAFKA_CFG_ZOOKEEPER_CONNECT=zk-nowhere.zk:32181
check "the refusal says why ZooKeeper was not read and names the override" \
  bash -c 'grep -q "name resolution failed" <<<"$1" && grep -q KAFKA_INIT_UNSAFE_FINALIZE_WITHOUT_ZOOKEEPER <<<"$1"' bash "$REFUSED_TEXT"
# (The deprecated spelling of migration-mode still works.)
e2e_pod_start kafka-controller-2 KAFKA_INIT_MIGRATION=dual-write
r=0; wait_ready 120 kafka-controller-2 || r=$?
check "kafka-controller-2 back in phase migration-mode, spelled dual-write (probe --ready twice in a row)" [ "$r" -eq 0 ]

roll "${BROKERS[@]}" -- KAFKA_INIT_MIGRATION=kraft-brokers "${ACL_KRAFT[@]}"
check_status kraft-brokers
check_brokers '[]' "3 kraft-brokers"
for p in "${BROKERS[@]}"; do
  check "$p: never formatted: meta.properties still v0 with broker.id ${p#kafka-}" \
    bash -c 'grep -q -x "version=0" "$1" && grep -q -x "broker.id=$2" "$1"' bash "$E2E_RUN/pods/$p/data/meta.properties" "${p#kafka-}"
done
phase_done "3 brokers rolled to KRaft"

# ---- 4. finalize, retire ZooKeeper ------------------------------------------------

roll "${CONTROLLERS[@]}" -- KAFKA_INIT_MIGRATION=finalized
check_status finalized
kill -TERM "${E2E_PID[zk]}"
wait_for 30 "ZooKeeper stopped" bash -c '! kill -0 "$1"' bash "${E2E_PID[zk]}" || true
ACKED_AT_ZK_STOP=$(acked_now)
wait_for 60 "acknowledgements with ZooKeeper stopped" bash -c '[ "$(grep -c producer_send_success "$1")" -gt $(( $2 + 200 )) ]' bash "$E2E_RUN/durable.produced" "$ACKED_AT_ZK_STOP" || true
check "ZooKeeper stopped: the cluster still acknowledges writes ($ACKED_AT_ZK_STOP at the stop, $(acked_now) now)" [ "$(acked_now)" -gt $(( ACKED_AT_ZK_STOP + 200 )) ]
check_status finalized
check_brokers none "4 finalized, ZooKeeper stopped"
phase_done "4 controllers finalized, ZooKeeper stopped"

# ---- 5. Kafka 4.4.0 ----------------------------------------------------------------

use_version "$V4"
roll "${CONTROLLERS[@]}" -- KAFKA_INIT_MIGRATION=finalized
# kafka-2 restarted as if KAFKA_INIT_MIGRATION had been dropped: plain KRaft
# on a ZooKeeper-era (v0) meta.properties: refused; then started right.
pod_stop kafka-2
# (With the cluster's own id, so that the v0 file is the only problem.)
refused "v0 meta.properties in plain KRaft (no KAFKA_INIT_MIGRATION)" kafka-2 -KAFKA_INIT_MIGRATION \
  -KAFKA_CFG_ZOOKEEPER_CONNECT KAFKA_INIT_MODE=kraft KAFKA_INIT_ROLE=broker "${ACL_KRAFT[@]}" \
  "KAFKA_INIT_CLUSTER_ID=$(sed -n 's/^cluster.id=//p' "$E2E_RUN/kafka-0.meta.before")" \
  "KAFKA_CFG_LOG_DIRS=$E2E_RUN/pods/kafka-2/data"
check "the refusal names the v0 meta.properties" grep -q 'meta.properties' <<<"$REFUSED_TEXT"
e2e_pod_start kafka-2 KAFKA_INIT_MIGRATION=finalized "${ACL_KRAFT[@]}"
r=0; wait_ready 180 kafka-2 || r=$?
check "rolled kafka-2: probe --ready passes twice in a row" [ "$r" -eq 0 ]
roll kafka-0 kafka-1 -- KAFKA_INIT_MIGRATION=finalized "${ACL_KRAFT[@]}"
kafka_tool org.apache.kafka.tools.FeatureCommand --bootstrap-server "$BOOTSTRAP" upgrade --release-version 4.0 \
  > "$E2E_RUN/features-upgrade.txt" 2>&1 || true
kafka_tool org.apache.kafka.tools.FeatureCommand --bootstrap-server "$BOOTSTRAP" describe > "$E2E_RUN/features.txt" 2>&1 || true
MV=$(sed -n 's/.*Feature: metadata.version.*FinalizedVersionLevel: *\([^[:space:]]*\).*/\1/p' "$E2E_RUN/features.txt" | head -1)
check "metadata.version raised to 4.0 ($MV)" [ "$MV" = 4.0-IV3 ]
check_status finalized
check_brokers none "5 Kafka $V4"
phase_done "5 all pods on $V4, metadata.version 4.0"

# ---- the end: nothing lost, topics, configs, ACL -----------------------------------

sleep 3
kill -TERM "$P_PRODUCER" 2>/dev/null || true
wait "$P_PRODUCER" 2>/dev/null || true
sleep 2
kill -TERM "$P_CONSUMER" 2>/dev/null || true
wait "$P_CONSUMER" 2>/dev/null || true
in_pod client kcat -b "$BOOTSTRAP" -C -t durable -o beginning -e -q -f '%p %o %s\n' > "$E2E_RUN/durable.consumed"
tally "$E2E_RUN/durable.produced" "$E2E_RUN/durable.consumed"
LIVE=$(sort -u "$E2E_RUN/durable.live" | wc -l)
GAP_MS=$(longest_gap "$E2E_RUN/durable.produced")
check "no acknowledged message lost (lost $F_LOST of $F_ACKED acknowledged)" [ "$F_LOST" -eq 0 -a "$F_ACKED" -gt 0 ]
check "in order within every partition" [ "$F_OOO" -eq 0 ]
check "the consumer running throughout read every acknowledged message ($LIVE read)" \
  [ "$(comm -23 <(acked "$E2E_RUN/durable.produced") <(sort -u "$E2E_RUN/durable.live") | wc -l)" -eq 0 ]
TOPICS=$(visible_topics)
check "topic durable survived, and guarded stays hidden from ANONYMOUS by its ACL (visible: $TOPICS)" [ "$TOPICS" = '["durable"]' ]
check "topic guarded survived: its replica is on all three brokers" \
  bash -c 'for i in 0 1 2; do [ -d "$1/pods/kafka-$i/data/guarded-0" ] || exit 1; done' bash "$E2E_RUN"
check "the topic config override retention.ms=123456789 survived" [ "$(topic_config)" = retention.ms=123456789 ]
check "the ACL User:alice READ on topic guarded survived" [ "$(acls)" = 1 ]
phase_done "end checks"

echo
echo "Phase timings, and each phase's longest gap between acks=all acknowledgements"
for k in "${!TIMINGS[@]}"; do
  read -r from to <<<"${WINDOWS[$k]}"
  printf '  %s   longest gap %6d ms\n' "${TIMINGS[$k]}" "$(longest_gap_within "$E2E_RUN/durable.produced" "$from" "$to")"
done
echo "Guard-rail refusals (bad starts, nothing started)"
printf '  %s\n' "${REFUSALS[@]}"
echo "rollback from migration mode: acknowledged $R_ACKED before it, lost $R_LOST${ROLLBACK_NOTES:+; ${ROLLBACK_NOTES[*]}}"
echo "rollback epoch check before it: $ROLLBACK_CHECK"
echo "rollback epoch workaround: $ROLLBACK_WORKAROUND"
echo "durable (acks=all): sent $F_SENT, acknowledged $F_ACKED, consumed $F_CONSUMED, lost $F_LOST, out of order $F_OOO; live consumer read $LIVE; longest gap between acknowledgements ${GAP_MS} ms"
echo "total run $(( ($(e2e_ms) - T_START) / 1000 ))s"
e2e_summary
