#!/usr/bin/env bash
# The end of the load: stop the producer (its last line counts what it
# sent), read both topics back from the start, and compare.
. "$(dirname "$0")/lib.sh"
# Its log streams until the container ends: the last line (what it sent)
# comes at its shutdown, after the delete's SIGTERM.
kk logs -f producer > "$OUT/durable.produced" 2>/dev/null &
logs=$!
sleep 2
kk delete pod producer --wait=true --timeout=60s >/dev/null
wait "$logs" || true
consume() { # consume TOPIC OUT: every message as "partition offset value"
  kafka_tool kafka-console-consumer --bootstrap-server "$BOOTSTRAP" --topic "$1" --from-beginning \
    --timeout-ms 15000 --property print.partition=true --property print.offset=true 2>/dev/null \
    | sed -E 's/^Partition:([0-9]+)\tOffset:([0-9]+)\t/\1 \2 /' > "$2"
}
consume durable "$OUT/durable.consumed"
tally "$OUT/durable.produced" "$OUT/durable.consumed"
gap=$(longest_gap "$OUT/durable.produced")
say "durable (acks=all): sent $F_SENT, acknowledged $F_ACKED, consumed $F_CONSUMED, lost $F_LOST, out of order $F_OOO, longest gap between acknowledgements $gap ms"
check "durable: acknowledged messages flowed ($F_ACKED)" [ "$F_ACKED" -gt 100 ]
check "durable: no acknowledged message lost ($F_LOST)" [ "$F_LOST" -eq 0 ]
check "durable: in order within every partition ($F_OOO)" [ "$F_OOO" -eq 0 ]
echo "$gap" > "$OUT/gap.ms"
# Each roll's own longest gap (its window: timeline.sh's first and last line).
# One leader election: a broker stopped in order hands its partitions over
# in about a second; a killed one only after its ZooKeeper session (18 s).
# The migration's rolls move the controller too (ZooKeeper's to the KRaft
# quorum, a quorum leader to a replaced pod): their bound is two elections.
for roll in move undo remove hop external drain mig-controllers mig-mode rollback mig-controllers-2 mig-mode-2 mig-kraft-brokers finalize kafka4; do
  [ -s "$OUT/window.$roll" ] || continue
  read -r from to < "$OUT/window.$roll"
  g=$(longest_gap_within "$OUT/durable.produced" "$from" "$to")
  say "durable (acks=all): $roll: longest gap between acknowledgements $g ms ($(( (to - from) / 1000 )) s roll)"
  echo "$g" > "$OUT/gap.$roll.ms"
  case $roll in
    mig-*|rollback|finalize|kafka4)
      check "durable: $roll: acks=all writes never stopped longer than two leader elections ($g ms < 20000 ms)" [ "$g" -lt 20000 ] ;;
    *)
      check "durable: $roll: acks=all writes never stopped longer than one leader election ($g ms < 10000 ms)" [ "$g" -lt 10000 ] ;;
  esac
done
check "durable: acks=all writes never stopped longer than two leader elections (longest gap $gap ms < 20000 ms)" [ "$gap" -lt 20000 ]
consume test-topic "$OUT/test-topic.consumed"
tally "$OUT/test-topic.produced" "$OUT/test-topic.consumed"
check "test-topic (factor 1): all 200 messages written before the move are still there (lost $F_LOST)" [ "$F_LOST" -eq 0 -a "$F_ACKED" -eq 200 ]
