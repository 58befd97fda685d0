#!/usr/bin/env python3
"""A recording TCP proxy for the Kafka protocol, used to capture wire fixtures.

Usage: wire-proxy.py [--zookeeper] LISTEN_PORT UPSTREAM_HOST:PORT OUT_DIR

Forwards every connection to the broker unchanged and writes each frame, as it
was on the wire (4-byte size prefix included), to
OUT_DIR/c<conn>-<n>-<Api>-v<version>-request.bin and the matching -response.bin
(matched by correlation id). Runs until killed.

With --zookeeper it records ZooKeeper frames instead (same int32 framing):
OUT_DIR/c<conn>-<n>-<op>-request.bin and -response.bin, matched by xid (the
first frame of a connection is the ConnectRequest, answered by the
ConnectResponse; watch notifications, xid -1, are named event).
"""
import os
import socket
import struct
import sys
import threading

API_NAMES = {3: "Metadata", 18: "ApiVersions", 32: "DescribeConfigs", 60: "DescribeCluster", 55: "DescribeQuorum"}


def read_frame(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    (size,) = struct.unpack(">i", head)
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None
        body += chunk
    return head + body


def pump(src, dst, on_frame):
    try:
        while True:
            frame = read_frame(src)
            if frame is None:
                break
            on_frame(frame)
            dst.sendall(frame)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


ZK_OPS = {1: "create", 3: "exists", 4: "getData", 8: "getChildren", 12: "getChildren2", -11: "close", 11: "ping"}


def handle_zookeeper(conn_no, client, upstream, out_dir):
    server = socket.create_connection(upstream)
    names = {}  # xid -> file name stem
    seq = [0]

    def save(stem, kind, frame):
        with open(os.path.join(out_dir, "%s-%s.bin" % (stem, kind)), "wb") as f:
            f.write(frame)

    def on_request(frame):
        seq[0] += 1
        if seq[0] == 1:
            names["connect"] = "c%d-%02d-connect" % (conn_no, seq[0])
            save(names["connect"], "request", frame)
            return
        xid, op = struct.unpack(">ii", frame[4:12])
        names[xid] = "c%d-%02d-%s" % (conn_no, seq[0], ZK_OPS.get(op, "op%d" % op))
        save(names[xid], "request", frame)

    def on_response(frame):
        if "connect" in names:
            save(names.pop("connect"), "response", frame)
            return
        (xid,) = struct.unpack(">i", frame[4:8])
        save(names.get(xid, "c%d-event-%d" % (conn_no, xid)), "response", frame)

    threading.Thread(target=pump, args=(client, server, on_request), daemon=True).start()
    pump(server, client, on_response)


def handle(conn_no, client, upstream, out_dir):
    server = socket.create_connection(upstream)
    names = {}  # correlation id -> file name stem
    seq = [0]

    def on_request(frame):
        key, version, correlation = struct.unpack(">hhi", frame[4:12])
        seq[0] += 1
        stem = "c%d-%02d-%s-v%d" % (conn_no, seq[0], API_NAMES.get(key, "api%d" % key), version)
        names[correlation] = stem
        with open(os.path.join(out_dir, stem + "-request.bin"), "wb") as f:
            f.write(frame)

    def on_response(frame):
        (correlation,) = struct.unpack(">i", frame[4:8])
        stem = names.get(correlation, "c%d-unmatched-%d" % (conn_no, correlation))
        with open(os.path.join(out_dir, stem + "-response.bin"), "wb") as f:
            f.write(frame)

    threading.Thread(target=pump, args=(client, server, on_request), daemon=True).start()
    pump(server, client, on_response)


def main():
    args = sys.argv[1:]
    zookeeper = args[:1] == ["--zookeeper"]
    if zookeeper:
        args = args[1:]
    port, upstream, out_dir = int(args[0]), args[1], args[2]
    host, up_port = upstream.rsplit(":", 1)
    os.makedirs(out_dir, exist_ok=True)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    conn_no = 0
    while True:
        client, _ = listener.accept()
        conn_no += 1
        threading.Thread(
            target=handle_zookeeper if zookeeper else handle, args=(conn_no, client, (host, int(up_port)), out_dir), daemon=True
        ).start()


if __name__ == "__main__":
    main()
