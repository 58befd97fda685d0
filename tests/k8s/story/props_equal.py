"""props_equal.py WRITTEN PLAN [KEY=VALUE ...]: exit 0 when the properties
file an image wrote (WRITTEN) and kafka-init's plan (PLAN, plan --format
properties) hold the same keys and values, printing each difference.
The plan never shows a password (<redacted>): KEY=VALUE names what the
image must have written for such a key, and any other key it must have
written (a check that the comparison saw what it was meant to)."""
import sys


def props(path):
    out = {}
    for line in open(path).read().splitlines():
        if line.strip() and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k] = v
    return out


written, plan = props(sys.argv[1]), props(sys.argv[2])
want = dict(a.partition("=")[::2] for a in sys.argv[3:])
ok = set(written) == set(plan)
for k in sorted(set(written) | set(plan)):
    expected = want[k] if k in want and plan.get(k) == "<redacted>" else plan.get(k)
    if written.get(k) != expected:
        ok = False
        print(f"  {k}: image {written.get(k)!r}, plan {plan.get(k)!r}")
for k, v in want.items():
    if written.get(k) != v:
        ok = False
        print(f"  {k}: image {written.get(k)!r}, expected {v!r}")
sys.exit(0 if ok and written else 1)
