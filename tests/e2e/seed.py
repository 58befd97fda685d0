#!/usr/bin/env python3
"""The seed deployment's own way of starting a broker, for tests/e2e/from-seed.sh.

Reads the seed StatefulSet (shared/reference/seed-deployment/ka-ss.yaml), never
a copy of it, and prints one of:

  init-script   the busybox initContainer's shell snippet, as written there
  env           the Kafka container's environment, KEY=VALUE lines
  properties    server.properties as the Bitnami 3.x scripts render it from the
                current process environment (the container env after the
                wrapper sourced kafka_env.sh and the scripts evaluated
                KAFKA_BROKER_ID_COMMAND into KAFKA_CFG_BROKER_ID); LOG_DIRS is
                the pod's data dir

Bitnami's rules, as the image's libkafka.sh applies them (our own rendering of
them, see shared/research/bitnami-kafka-image.md): a legacy KAFKA_<SUFFIX> is
copied over KAFKA_CFG_<SUFFIX> (so it wins), then every KAFKA_CFG_<KEY> becomes
the key lower-cased with '_' -> '.'.

Usage: seed.py init-script|env SEED_YAML
       seed.py properties
"""
import os
import sys

# Bitnami's alias suffixes that the seed's environment uses.
ALIASES = {
    "ADVERTISED_LISTENERS", "BROKER_ID", "INTER_BROKER_LISTENER_NAME", "LISTENERS",
    "LISTENER_SECURITY_PROTOCOL_MAP", "LOG_DIRS", "LOG_MESSAGE_FORMAT_VERSION",
    "OFFSETS_TOPIC_REPLICATION_FACTOR", "TRANSACTION_STATE_LOG_MIN_ISR",
    "TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "ZOOKEEPER_CONNECT",
}


def statefulset(path):
    import yaml

    for doc in yaml.safe_load_all(open(path)):
        if doc and doc["kind"] == "StatefulSet":
            return doc["spec"]["template"]["spec"]
    sys.exit(f"seed.py: no StatefulSet in {path}")


def properties(env):
    cfg = {}
    for name, value in env.items():
        if name.startswith("KAFKA_CFG_"):
            cfg.setdefault(name[len("KAFKA_CFG_"):], value)
    for name, value in env.items():
        suffix = name[len("KAFKA_"):]
        if name.startswith("KAFKA_") and suffix in ALIASES:
            cfg[suffix] = value
    return "".join(f"{k.lower().replace('_', '.')}={v}\n" for k, v in sorted(cfg.items()))


def main(argv):
    if argv[1:2] == ["init-script"]:
        print(statefulset(argv[2])["initContainers"][0]["args"][0], end="")
    elif argv[1:2] == ["env"]:
        kafka = statefulset(argv[2])["containers"][0]
        for e in kafka["env"]:
            print(f"{e['name']}={e['value']}")
    elif argv[1:2] == ["properties"]:
        print(properties(os.environ), end="")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
