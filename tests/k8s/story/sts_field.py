"""A broken manifest on purpose: the StatefulSet of a rendered overlay with
spec.FIELD set to VALUE (JSON), printed as YAML (the checks that the API
server refuses it). Usage: sts_field.py RENDERED.yaml FIELD VALUE"""
import json
import sys

import yaml

for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "StatefulSet":
        d["spec"][sys.argv[2]] = json.loads(sys.argv[3])
        print(yaml.safe_dump(d))
