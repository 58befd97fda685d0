# Sourced by bench/prepare.sh and bench/prepare-slowfs.sh: the tree they
# re-own, built once and kept between runs.

# bench_tree DIR DIRS FILES: DIR as DIRS directories topic-N of FILES empty
# segment files each; rebuilt only when its entry count is not that.
bench_tree() {
  local tree=$1 dirs=$2 files=$3 d
  if [ "$(find "$tree" -mindepth 1 2>/dev/null | wc -l)" != $((dirs * files + dirs)) ]; then
    echo "building $dirs x $files files in $tree"
    rm -rf "${tree:?}" && mkdir -p "$tree"
    for d in $(seq 0 $((dirs - 1))); do
      mkdir "$tree/topic-$d"
      (cd "$tree/topic-$d" && seq -f '%020g.log' 1 "$files" | xargs touch)
    done
  fi
}
