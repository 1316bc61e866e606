# Shared by bench scenarios: install tools, mount thawfs in the background, clean up by PID.
# shellcheck shell=bash

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_pids=()
bench_mounts=()

# need TOOL PACKAGE: installs PACKAGE with apt-get when TOOL is missing.
need() {
  command -v "$1" >/dev/null && return
  echo "bench: installing $2" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# mount_mirror SOURCE MOUNTPOINT STATS_FILE [flags...]: starts `thawfs mirror` and waits for the mount.
mount_mirror() {
  local source=$1 mountpoint=$2 stats=$3
  shift 3
  mkdir -p "$mountpoint"
  "$bench_root/bin/thawfs" mirror --stats "$stats" "$@" "$source" "$mountpoint" 2>>"$bench_log" &
  bench_pids+=($!)
  bench_mounts+=("$mountpoint")
  for _ in $(seq 600); do
    grep -qs " $mountpoint fuse" /proc/mounts && return 0
    kill -0 "${bench_pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: $mountpoint did not mount; see $bench_log" >&2
  return 1
}

# Stops every daemon started here (by PID, with SIGTERM so it unmounts and writes its statistics).
stop_all() {
  local pid mountpoint
  for pid in "${bench_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  bench_pids=()
  for mountpoint in "${bench_mounts[@]}"; do
    grep -qs " $mountpoint fuse" /proc/mounts && umount -l "$mountpoint"
  done
  bench_mounts=()
}

# json_field FILE DOTTED.PATH: one value from a JSON file.
json_field() {
  python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[int(k)] if isinstance(v,list) else v.get(k,0)
print(v)' "$1" "$2"
}

# median of the arguments (numbers)
median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

# ratio A B with 3 decimals
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b > 0) ? a / b : 0}'
}

# unmount_under DIR: lazily unmounts every mount below DIR (left by a run that was stopped); their
# FUSE daemons then exit.
unmount_under() {
  local mountpoint
  awk -v dir="$1/" 'index($2, dir) == 1 {print $2}' /proc/mounts | sort -r | while read -r mountpoint; do
    umount -l "$mountpoint" || true
  done
}
