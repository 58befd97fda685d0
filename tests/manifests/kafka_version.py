"""Checks that every Kafka StatefulSet tells kafka-init the Kafka version of
its image: KAFKA_INIT_KAFKA_VERSION, in the ConfigMaps both containers read
(envFrom), equal to the Kafka container's image tag.

The kafka-init initContainer runs kafka-init's own image, where the Kafka
image's APP_VERSION is not set; without the setting it checks the settings
against its default version (3.9.2 in ZooKeeper mode) while `exec`, in the
Kafka image, checks against the image's, and the two disagree in what they
warn about. The tag is the version for bitnami/kafka X.Y.Z and apache/kafka
X.Y.Z; Confluent's cp-kafka tags are Confluent Platform releases, whose
Kafka version is in CP_KAFKA (the releases whose scripts are in
../shared/reference/images, PROVENANCE.md). A digest, another tag form or
a cp-kafka release not in the table is refused, to be looked at.

It checks itself: the same StatefulSet with the tag bumped must be refused.

Usage: kafka_version.py RENDERED_YAML
"""
import copy
import re
import sys

import yaml


# Confluent Platform release -> the Apache Kafka version it ships.
CP_KAFKA = {"7.9.6": "3.9.0", "8.1.2": "4.1.2"}


def config_maps(docs):
    return {d["metadata"]["name"]: d.get("data") or {} for d in docs if d["kind"] == "ConfigMap"}


def problems_of(sts, maps):
    spec = sts["spec"]["template"]["spec"]
    kafka = [c for c in spec["containers"] if c["name"] == "kafka"]
    if not kafka:
        return []
    name = sts["metadata"]["name"]
    image = kafka[0]["image"]
    tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
    if tag is None or not re.fullmatch(r"\d+\.\d+\.\d+", tag):
        return [f"StatefulSet {name}: image {image} has no X.Y.Z tag to take the Kafka version from"]
    shown = tag
    if image.rsplit(":", 1)[0].endswith("confluentinc/cp-kafka"):
        if tag not in CP_KAFKA:
            return [f"StatefulSet {name}: image {image}: cp-kafka {tag}'s Kafka version is not in CP_KAFKA"]
        tag, shown = CP_KAFKA[tag], f"{CP_KAFKA[tag]} (cp-kafka {tag})"
    problems = []
    for c in spec.get("initContainers", []) + kafka:
        version = None
        for ref in c.get("envFrom") or []:
            data = maps.get((ref.get("configMapRef") or {}).get("name"), {})
            version = data.get("KAFKA_INIT_KAFKA_VERSION", version)
        for e in c.get("env") or []:
            if e["name"] == "KAFKA_INIT_KAFKA_VERSION":
                version = e.get("value")
        if version != tag:
            problems.append(f"StatefulSet {name}, container {c['name']}: KAFKA_INIT_KAFKA_VERSION {version!r}, "
                            f"the image {image} runs Kafka {shown}: set KAFKA_INIT_KAFKA_VERSION={tag} next to the tag")
    return problems


def main(rendered):
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    maps = config_maps(docs)
    sets = [d for d in docs if d["kind"] == "StatefulSet"]
    problems = [p for s in sets for p in problems_of(s, maps)]
    for p in problems:
        print(f"FAIL  {p}")
    if not sets:
        print("ok    no StatefulSet")
    elif not problems:
        print(f"ok    {', '.join(s['metadata']['name'] for s in sets)}: KAFKA_INIT_KAFKA_VERSION is the image's version")
    if sets:
        bumped = copy.deepcopy(sets[0])
        c = [c for c in bumped["spec"]["template"]["spec"]["containers"] if c["name"] == "kafka"][0]
        c["image"] = c["image"].rsplit(":", 1)[0] + ":9.9.9"
        if problems_of(bumped, maps):
            print("      self-check: a tag bumped without the version is refused")
        else:
            print("FAIL  self-check: a bumped tag passed: the check cannot fail")
            problems.append("self-check")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
