# shellcheck shell=bash disable=SC2034  # F_*: read by the scenarios
# The message counters of every load test (tests/e2e scenarios, the real
# Kubernetes story in tests/k8s): what a VerifiableProducer acknowledged
# against what a consumer read back, sourced by tests/e2e/lib.sh and
# tests/k8s/story/*.sh. Inputs are files: the producer's stdout (one JSON
# line per acknowledged message) and "partition offset value" lines.

# acked PRODUCED: "partition offset value" of each acknowledged message (the
# tool's stdout also carries plain-text warnings: only JSON lines are read).
acked() { grep '^{' "$1" | jq -r 'select(.name=="producer_send_success") | "\(.partition) \(.offset) \(.value)"' | sort -u; }
# sent PRODUCED: how many messages the producer sent (its closing tool_data line).
sent() { grep '^{' "$1" | jq -r 'select(.name=="tool_data") | .sent' | tail -1; }
# lost PRODUCED CONSUMED: acknowledged messages not consumed (same partition, offset and payload).
lost() { comm -23 <(acked "$1") <(sort -u "$2") | wc -l; }
# tally PRODUCED CONSUMED: sets F_SENT, F_ACKED, F_CONSUMED, F_LOST and F_OOO.
tally() {
  F_SENT=$(sent "$1" || true)
  F_ACKED=$(acked "$1" | wc -l)
  F_CONSUMED=$(wc -l < "$2")
  F_LOST=$(lost "$1" "$2")
  F_OOO=$(out_of_order "$2")
}
# out_of_order CONSUMED: payload sequence numbers going backwards within a partition, in offset order.
out_of_order() { sort -k1,1n -k2,2n "$1" | awk '($1 in last) && $3+0 <= last[$1] {bad++} {last[$1]=$3+0} END {print bad+0}'; }
# longest_gap PRODUCED: the longest time (ms) with no acknowledgement, between
# the first and the last one.
longest_gap() {
  grep '^{' "$1" | jq -r 'select(.name=="producer_send_success") | .timestamp' | sort -n \
    | awk 'NR > 1 && $1 - prev > gap {gap = $1 - prev} {prev = $1} END {print gap + 0}'
}
# longest_gap_within PRODUCED FROM TO: the longest time (ms) with no
# acknowledgement among the gaps that overlap FROM..TO (epoch ms): a roll's
# own window, so that each roll of a story gets its own figure.
longest_gap_within() {
  grep '^{' "$1" | jq -r 'select(.name=="producer_send_success") | .timestamp' | sort -n \
    | awk -v from="$2" -v to="$3" 'NR > 1 && $1 >= from && prev <= to && $1 - prev > gap {gap = $1 - prev} {prev = $1} END {print gap + 0}'
}
