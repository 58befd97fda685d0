#!/usr/bin/env bash
# Measures the peak memory (maximum RSS, as `/usr/bin/time` reports it) of `kafka-init probe --ready` against a
# stand-in broker on loopback that answers ApiVersions with the bytes a real
# Kafka 4.4.0 broker sent (tests/fixtures/wire/) and Metadata v13 with a
# generated cluster: three brokers, topics of 1,000 partitions of three
# replicas, the probed node (1) in every ISR or, in the "lagging" runs, in
# none. Prints the Metadata frame's size, the probe's peak RSS and their
# ratio, the probe's wall and CPU time, and checks the goals: under 16 MiB at every size (a million
# partitions included), never more than twice a frame of 8 MiB or more. BASELINE=path/to/another/kafka-init runs that
# binary too, side by side (e.g. a build of main before streaming).
# Usage: bench/probe-memory.sh; env PARTITIONS (default "1000 1000000
# 3000000"), KAFKA_INIT (default target/release/kafka-init; cargo build
# --release), BASELINE (optional).
set -euo pipefail
cd "$(dirname "$0")/.."
kafka_init=$(readlink -f "${KAFKA_INIT:-target/release/kafka-init}")
[ -x "$kafka_init" ] || { echo "no $kafka_init: cargo build --release" >&2; exit 1; }
python3 - "$kafka_init" "${BASELINE:-}" ${PARTITIONS:-1000 1000000 3000000} <<'PY'
import os, socket, struct, subprocess, sys, threading

kafka_init, baseline, sizes = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
api_versions = open("tests/fixtures/wire/4.4.0/kafka-init-probe-ready/"
                    "c2-01-ApiVersions-v3-response.bin", "rb").read()[4:]
PER_TOPIC = 1000

def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)

def cstr(s):
    return uvarint(len(s) + 1) + s.encode()

def ints(xs):
    return uvarint(len(xs) + 1) + b"".join(struct.pack(">i", x) for x in xs)

def metadata(partitions, lagging):
    """The body of a Metadata v13 answer (after the correlation id)."""
    out = [b"\0", struct.pack(">i", 0), uvarint(4)]  # header tags, throttle, 3 brokers
    for node in range(3):
        out += [struct.pack(">i", node), cstr("127.0.0.1"), struct.pack(">i", 9092), b"\0", b"\0"]
    topics = (partitions + PER_TOPIC - 1) // PER_TOPIC
    out += [cstr("a2Fma2EtaW5pdC13aXJlIQ"), struct.pack(">i", 0), uvarint(topics + 1)]
    tail = ints([0, 1, 2]) + ints([0, 2] if lagging else [0, 1, 2]) + ints([]) + b"\0"
    left = partitions
    for t in range(topics):
        n = min(PER_TOPIC, left)
        left -= n
        out += [b"\0\0", cstr("topic-%06d" % t), os.urandom(16), b"\0", uvarint(n + 1)]
        out += [b"\0\0" + struct.pack(">iii", i, i % 3, 0) + tail for i in range(n)]
        out += [struct.pack(">i", -2**31), b"\0"]
    out += [b"\0\0", b"\0"]  # error code, tags
    return b"".join(out)

def recv_exact(conn, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)

def serve(listener, answer):
    while True:
        conn, _ = listener.accept()
        try:
            while True:
                size = struct.unpack(">i", recv_exact(conn, 4))[0]
                request = recv_exact(conn, size)
                key, corr = struct.unpack(">h", request[:2])[0], request[4:8]
                body = api_versions[4:] if key == 18 else answer[0]
                conn.sendall(struct.pack(">i", 4 + len(body)) + corr + body)
        except (EOFError, OSError):
            conn.close()

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
port = listener.getsockname()[1]
answer = [b""]
threading.Thread(target=serve, args=(listener, answer), daemon=True).start()

env = dict(os.environ, POD_NAME="kafka-1", POD_NAMESPACE="default", KAFKA_INIT_MODE="kraft",
           KAFKA_INIT_ROLE="combined", KAFKA_INIT_CLUSTER_ID="a2Fma2EtaW5pdC13aXJlIQ",
           KAFKA_INIT_LOG="warn", KAFKA_CFG_CONTROLLER_QUORUM_VOTERS="1@127.0.0.1:%d" % (port + 1),
           # An unprivileged port: the Bitnami image's own checks refuse one below 1024.
           KAFKA_CFG_LISTENERS="PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d" % (port, port + 1))

def peak_rss(binary):
    """Runs one probe; its exit code, maximum RSS in bytes, wall and CPU seconds. Through
    /usr/bin/time, not wait4 here: a child forked from this (large) harness
    would count the harness's pages it had before exec in its maximum."""
    out = subprocess.run(["/usr/bin/time", "-f", "%x %M %e %U %S", binary, "probe", "--ready",
                          "--timeout", "120s"], env=env, capture_output=True, text=True)
    code, kib, wall, user, system = out.stderr.strip().splitlines()[-1].split()
    return int(code), int(kib) * 1024, float(wall), float(user) + float(system)

MiB = 1 << 20
binaries = [("kafka-init", kafka_init)] + ([("baseline", baseline)] if baseline else [])
print("%-10s %10s %8s %10s %5s %13s %9s %7s %6s" % (
    "binary", "partitions", "lagging", "frame MiB", "exit", "peak RSS MiB", "RSS/frame", "wall s",
    "CPU s"))
goals = []
for partitions in sizes:
    for lagging in (False, True):
        answer[0] = metadata(partitions, lagging)
        frame = len(answer[0]) + 8
        for name, binary in binaries:
            code, rss, wall, cpu = peak_rss(binary)
            print("%-10s %10d %8s %10.1f %5d %13.1f %9.2f %7.2f %6.2f" % (
                name, partitions, "yes" if lagging else "no", frame / MiB, code, rss / MiB,
                rss / frame, wall, cpu))
            if name == "kafka-init":
                if code != (1 if lagging else 0):
                    goals.append("FAIL: exit %d for %d partitions, lagging=%s" % (code, partitions, lagging))
                if rss >= 16 * MiB:
                    goals.append("FAIL: %.1f MiB >= 16 MiB for %d partitions" % (rss / MiB, partitions))
                if frame >= 8 * MiB and rss > 2 * frame:
                    goals.append("FAIL: %.1f MiB > 2x the %.1f MiB frame" % (rss / MiB, frame / MiB))
print("\n".join(goals) or "goals met: under 16 MiB at every size, so never over 2x a frame of 8 MiB or more")
sys.exit(1 if goals else 0)
PY
