#!/usr/bin/env bash
# The thawfs conformance suite of the kernel matrix. Runs inside a guest (started by guest-init),
# or on the host for a quick try: test/kernels/suite.sh (as root, with cli/target/thawfs.jar built).
#
# Builds test artifacts with the real tools in a tmpfs work directory, mounts them as layers with
# `thawfs mount --daemon`, and prints one line per check:
#   @@CHECK <name> PASS|FAIL|SKIP <seconds>s     followed by indented details
# plus @@UNAME, @@INITPROBE (the kernel's raw FUSE_INIT offer), @@TIER and a final @@SUITE-END.
#
# Environment: THAWFS_KLABEL (kernel label), THAWFS_EXPECT_TIER (A/B/C), THAWFS_EXPECT_TRANSPORT
# (io_uring or /dev/fuse), THAWFS_INODE_CHECK=1
# (also mount with --passthrough inode and expect tier A), THAWFS_SUITE_DIR (work directory,
# default /tmp/thawfs-suite), THAWFS_INIT_PROBE (the compiled init-probe), THAWFS_SEQUENCES=MODE
# (also run the tier A sequences with --passthrough MODE, e.g. auto for a quick try on the host),
# THAWFS_BENCH=1 (also run bench/run startup --quick) or only (nothing else).
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
repo=$(cd "$here/../.." && pwd)
jar=$repo/cli/target/thawfs.jar
W=${THAWFS_SUITE_DIR:-/tmp/thawfs-suite}
label=${THAWFS_KLABEL:-host}
expect_tier=${THAWFS_EXPECT_TIER:-}
expect_transport=${THAWFS_EXPECT_TRANSPORT:-}
py=/usr/bin/python3
check_py=$here/treecheck.py
export LC_ALL=C.UTF-8

# one JVM per command; C1 only and serial GC: starts are what costs under TCG, not throughput
# (THAWFS_CDS: a class data archive of thawfs that the host made, see run)
cds=()
[ -n "${THAWFS_CDS:-}" ] && [ -f "$THAWFS_CDS" ] && cds=("-XX:SharedArchiveFile=$THAWFS_CDS")
thawfs() {
  THAWFS_JAVA_OPTIONS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData ${cds[*]}" "$repo/bin/thawfs" "$@"
}

failures=0
# check NAME COMMAND...: runs COMMAND, prints the verdict and COMMAND's output indented
check() {
  local name=$1; shift
  local out=$W/check-$name.out start=$SECONDS rc
  "$@" >"$out" 2>&1; rc=$?
  if [ $rc -eq 0 ]; then echo "@@CHECK $name PASS $((SECONDS - start))s"
  elif [ $rc -eq 77 ]; then echo "@@CHECK $name SKIP $((SECONDS - start))s"
  else echo "@@CHECK $name FAIL $((SECONDS - start))s"; failures=$((failures + 1)); fi
  sed -e 's/^/    /' "$out" | head -40
  return $rc
}

# status KEY MOUNTPOINT: one value of the status the mount answers (what `thawfs status` shows)
status() { getfattr --absolute-names --only-values -n user.thawfs.status "$2" 2>/dev/null | sed -n "s/^$1=//p"; }
state() { getfattr --absolute-names --only-values -n user.thawfs.state "$1" 2>&1; }

# settle: waits (at most 30 s) until no fetch is running, so the counters are final
settle() {
  local i
  for ((i = 0; i < 150; i++)); do [ "$(status fetches_running "$1")" = 0 ] && return 0; sleep 0.2; done
}

# wait_gone PID SECONDS: waits for a process that is not our child to end
wait_gone() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do [ -d /proc/$1 ] || return 0; sleep 0.1; done
  return 1
}

# the startup benchmark (test/kernels/run --bench): under TCG only its request counts and the
# warm ratio mean something
startup_bench() {
  local mode=auto
  [ "${THAWFS_INODE_CHECK:-0}" = 1 ] && mode=inode
  THAWFS_BENCH_WORK=$W/bench THAWFS_BENCH_PREBUILT=1 "$repo/bench/run" startup --quick --passthrough $mode
}
bench_startup() {
  check bench-startup startup_bench
  sed -n 's/^RESULT /@@BENCH /p' "$W/check-bench-startup.out"
}

echo "@@UNAME $(uname -r)"
if [ -n "${THAWFS_INIT_PROBE:-}" ] && [ -x "$THAWFS_INIT_PROBE" ]; then
  echo "@@$("$THAWFS_INIT_PROBE" 2>&1)"
fi

rm -rf "$W"; mkdir -p "$W"/{src,obj,x,m1,m2,m3}
if [ "${THAWFS_BENCH:-0}" = only ]; then # test/kernels/run --bench-only
  bench_startup
  echo "@@SUITE-END failures=$failures"
  [ $failures -eq 0 ]; exit
fi
src=$W/src obj=$W/obj

# ---- test artifacts, built with the real tools ----
make_tree() {
  cd "$src" || return 1
  mkdir -p d/e d/sub/deep bin data conc mm
  printf 'hello from thawfs\n' >d/a.txt
  printf 'read only\n' >d/ro.txt; chmod 0444 d/ro.txt
  printf 'deep\n' >d/sub/deep/file.txt
  printf 'spaces\n' >'name with spaces.txt'
  cp /bin/echo bin/echo
  printf '#!/bin/sh\necho "script-ok $1"\n' >bin/hello.sh; chmod 0755 bin/hello.sh
  ln -s d/a.txt link
  ln -s does/not/exist dangling
  head -c 100000 /dev/urandom >data/medium.bin
  for i in $(seq 2000); do echo "line $i of a text file that compresses well"; done >data/text.txt
  : >data/empty
  head -c 1200000 /dev/urandom >conc/cold.bin
  mkdir -p solo && head -c 1200000 /dev/urandom >solo/solo.bin
  head -c 262144 /dev/urandom >mm/map.bin
  touch -d '2020-02-29 12:34:56' d/a.txt data/text.txt
  touch -h -d '2019-01-02 03:04:05' link
  touch -d '2018-05-06 07:08:09' d/e d/sub/deep d/sub
  cd "$src" && zip -qry "$obj/a.zip" . &&
    (shopt -s dotglob && tar -C "$src" -cf "$obj/b.tar" -- *) &&
    tar -C "$src" -cf - . | gzip -1 >"$obj/c.tar.gz" || return 1
  # a prefix: plain files in directories (the local-directory object store)
  mkdir -p "$obj/prefix" && (cd "$src" && find . -type f -print0 | cpio -0pdm --quiet "$obj/prefix") || return 1
  mkdir -p "$W/x/z" "$W/x/t" "$W/x/g"
  unzip -q "$obj/a.zip" -d "$W/x/z" && tar -xf "$obj/b.tar" -C "$W/x/t" && tar -xzf "$obj/c.tar.gz" -C "$W/x/g"
  ls -la "$obj"
}
check artifacts make_tree || { echo "@@SUITE-END failures=$failures"; exit 1; }
cd "$W" || exit 1

# ---- mount 1: four layers, files fetched whole on open (default materialize-on-open) ----
m1=$W/m1
mount1_args=(--store "$W/store1" --stats "$W/stats1.json" --fetch-timeout 10s)
mount1() {
  local out
  out=$(thawfs mount --daemon "${mount1_args[@]}" "$obj/a.zip=z" "$obj/b.tar=t" "$obj/c.tar.gz=g" "$obj/prefix=p" "$m1" 2>&1)
  local rc=$?
  echo "$out"
  pid1=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
  [ $rc -eq 0 ] && mountpoint -q "$m1"
}
pid1=""
check mount-layers mount1
if ! mountpoint -q "$m1"; then
  cat "$W/store1/daemon.log" 2>/dev/null | tail -20
  echo "@@SUITE-END failures=$failures"; exit 1
fi
# mount1 ran in check's shell: find the daemon again
pid1=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' "$W/check-mount-layers.out")
tier=$(status tier "$m1")
echo "@@TIER $tier"
echo "    daemon.log: $(head -3 "$W/store1/daemon.log" | tr '\n' ' ')"
tier_check() {
  echo "thawfs negotiated tier $tier, expected ${expect_tier:-?}"
  [ -z "$expect_tier" ] || [ "$tier" = "$expect_tier" ]
}
check tier tier_check
transport_check() {
  local transport
  transport=$(status transport "$m1")
  echo "requests travel over $transport, expected ${expect_transport:-?}"
  [ -z "$expect_transport" ] || [ "$transport" = "$expect_transport" ]
}
check transport transport_check
passes() { [ "$tier" = A ] || [ "$tier" = B ]; }

# 16 first opens at once of one cold 1.2 MB file (alone in its directory, so no read-ahead) cost what
# one first open of a file of the same size costs (one fetch: the object store requests it makes)
concurrent_open() {
  local before after one f=$m1/z/conc/cold.bin
  before=$(status object_store_requests "$m1")
  cmp "$m1/z/solo/solo.bin" "$src/solo/solo.bin" || return 1
  settle "$m1"
  after=$(status object_store_requests "$m1"); one=$((after - before))
  echo "one cold open of solo/solo.bin: object_store_requests $before -> $after ($one)"
  echo "conc/cold.bin state before: $(state "$f")"
  before=$after
  $py "$check_py" concurrent "$f" "$src/conc/cold.bin" 16 || return 1
  settle "$m1"
  after=$(status object_store_requests "$m1")
  echo "16 concurrent first opens: object_store_requests $before -> $after ($((after - before)), one fetch = $one);" \
    "fetches_running $(status fetches_running "$m1"); state after: $(state "$f")"
  [ "$one" -ge 1 ] && [ $((after - before)) -eq "$one" ]
}
check concurrent-open-one-fetch concurrent_open

for layer in z:zip t:tar g:targz; do
  check "tree-${layer#*:}" $py "$check_py" compare "$W/x/${layer%%:*}" "$m1/${layer%%:*}" "$W/hashes-${layer%%:*}.json" \
    $([ "${layer%%:*}" = z ] && echo --no-link-mtime)
done
check tree-prefix $py "$check_py" compare "$obj/prefix" "$m1/p" "$W/hashes-p.json" --prefix
reread_all() {
  local l args=()
  for l in z t g p; do
    if [ -s "$W/hashes-$l.json" ]; then args+=("$m1/$l=$W/hashes-$l.json"); else echo "no first read of layer $l"; fi
  done
  $py "$check_py" reread-many "${args[@]}" && [ ${#args[@]} -eq 4 ]
}
check read-twice reread_all

# the state while a file is held open: passthrough where the tier passes through
held_state() {
  local f rc=0 s want=materialized
  passes && want=passthrough
  for f in z/d/a.txt t/data/medium.bin g/data/text.txt p/d/sub/deep/file.txt; do
    exec {fd}<"$m1/$f" || { rc=1; continue; }
    s=$(state "$m1/$f")
    echo "$f open: state=$s (expected $want); passthrough_opens=$(status passthrough_opens "$m1")"
    [ "$s" = "$want" ] || rc=1
    exec {fd}<&-
  done
  return $rc
}
check state-while-open held_state

check mmap $py "$check_py" mmap "$m1/g/mm/map.bin" "$src/mm/map.bin"
exec_elf() {
  local out
  out=$("$m1/z/bin/echo" elf-ok 2>&1); echo "z/bin/echo: $out"; [ "$out" = elf-ok ] || return 1
  out=$("$m1/t/bin/echo" elf-ok 2>&1); echo "t/bin/echo: $out"; [ "$out" = elf-ok ] || return 1
  echo "state: $(state "$m1/z/bin/echo")"
}
check exec-elf exec_elf
exec_script() {
  local out
  out=$("$m1/g/bin/hello.sh" x 2>&1); echo "g/bin/hello.sh: $out"; [ "$out" = "script-ok x" ]
}
check exec-script exec_script

stat_check() {
  local f rc=0 args=()
  for f in d/a.txt d/ro.txt link dangling d/e d/sub 'name with spaces.txt' data/empty bin/hello.sh bin/echo; do
    # unzip does not set the times of symlinks: the zip layer against the tree it was made of
    args+=("$W/x/t/$f=$m1/t/$f" "$src/$f=$m1/z/$f")
  done
  $py "$check_py" stats "${args[@]}" || rc=1
  stat -L -c 'stat -L z/link: %F %s' "$m1/z/link" || rc=1
  stat -f -c 'statfs: type %T, blocks %b, bsize %s' "$m1" || rc=1
  return $rc
}
check stat stat_check
readdir_check() {
  local l d rc=0 args=()
  for l in z t g; do
    for d in . d d/e d/sub bin; do args+=("$W/x/$l/$d=$m1/$l/$d"); done
  done
  args+=("$obj/prefix=$m1/p" "$obj/prefix/d=$m1/p/d")
  $py "$check_py" listdirs "${args[@]}" || rc=1
  [ "$(ls -A "$m1" | tr '\n' ' ')" = "g p t z " ] || { echo "root: $(ls -A "$m1" | tr '\n' ' ')"; rc=1; }
  return $rc
}
check readdir readdir_check
xattr_check() {
  local rc=0 names src_attr out
  names=$(getfattr -m - --absolute-names "$m1/z/d/a.txt" | grep -v '^#' | sort | tr '\n' ' ')
  echo "names: $names"
  [[ $names == *user.thawfs.source* && $names == *user.thawfs.state* ]] || rc=1
  src_attr=$(getfattr --absolute-names --only-values -n user.thawfs.source "$m1/z/d/a.txt"); echo "source: $src_attr"
  [[ $src_attr == *a.zip!d/a.txt ]] || rc=1
  out=$(getfattr --absolute-names -n user.nonexistent "$m1/z/d/a.txt" 2>&1)
  [[ $out == *"No such attribute"* ]] || { echo "a missing attribute: '$out', expected ENODATA"; rc=1; }
  if setfattr -n user.x -v 1 "$m1/z/d/a.txt" 2>/dev/null; then echo "setfattr succeeded on a read-only mount"; rc=1; fi
  if touch "$m1/z/new" 2>/dev/null; then echo "creating a file succeeded"; rc=1; fi
  return $rc
}
check xattrs xattr_check

# what `thawfs status MOUNTPOINT` shows is the mount's user.thawfs.status attribute (the CLI's
# --json only reformats it; a JVM start costs a minute under TCG on a busy machine)
status_check() {
  local out
  out=$(getfattr --absolute-names --only-values -n user.thawfs.status "$m1") || return 1
  echo "$out" | grep -E '^(tier|passthrough_opens|fetches_running|object_store_|store_bytes)'
  [ "$(status tier "$m1")" = "$tier" ] && [ -n "$(status object_store_requests "$m1")" ]
}
check status status_check

umount1() {
  umount "$m1" || return 1
  wait_gone "$pid1" 60 || { echo "daemon $pid1 still running 60 s after umount"; return 1; }
  cat "$W/stats1.json"
}
check unmount-layers umount1
reads_after_switch() {
  [ -s "$W/stats1.json" ] || { echo "no statistics written"; return 1; }
  local reads
  reads=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"].get("READ", 0))' "$W/stats1.json")
  echo "READ requests in the whole mount (every file was fetched whole at open): $reads"
  passes || { echo "tier $tier: the daemon serves reads"; return 77; }
  [ "$reads" -eq 0 ]
}
check reads-after-switch reads_after_switch

# ---- mount 2: materialize-on-open 1 MiB, short fetch timeout, then the source goes away ----
obj2=$W/obj2 m2=$W/m2
mkdir -p "$obj2/stage/big" "$obj2/stage/keep" "$obj2/stage/gone" "$obj2/pfx/keep" "$obj2/pfx/gone"
head -c 1800000 /dev/urandom >"$obj2/stage/big/big.bin"
echo kept >"$obj2/stage/keep/small.txt"; echo never-fetched >"$obj2/stage/gone/cold.txt"
echo kept-p >"$obj2/pfx/keep/p.txt"; echo never-fetched-p >"$obj2/pfx/gone/p2.txt"
(cd "$obj2/stage" && zip -qr ../l.zip .)
cp -a "$obj2/stage" "$W/x/l"
cat >"$W/mount2.toml" <<EOF
[store]
dir = "$W/store2"

[mount]
materialize-on-open = "1MiB"
read-ahead = 0

[fetch]
timeout = "3s"
attempts = 2
EOF
# in the foreground this time (one JVM, not two), in the background of this shell
mount2() {
  local t0=$SECONDS
  setsid java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData "${cds[@]}" --enable-native-access=ALL-UNNAMED \
    -jar "$jar" mount --config "$W/mount2.toml" --stats "$W/stats2.json" "$obj2/l.zip=l" "$obj2/pfx=p" "$m2" \
    </dev/null >"$W/mount2.log" 2>&1 &
  pid2=$!
  while [ $((SECONDS - t0)) -lt 600 ]; do
    mountpoint -q "$m2" && { echo "mounted by pid $pid2 after $((SECONDS - t0)) s"; return 0; }
    [ -d /proc/$pid2 ] || { echo "thawfs mount exited:"; cat "$W/mount2.log"; return 1; }
    sleep 0.1
  done
  return 1
}
pid2=""
check mount-small-threshold mount2
if mountpoint -q "$m2"; then
  large_cold() {
    local f=$m2/l/big/big.bin s i rc=0 want=materialized
    passes && want=passthrough
    exec {fd}<"$f" || return 1
    s=$(state "$f"); echo "first open (cold, 1.8 MB > 1 MiB): state=$s"
    [ "$s" != passthrough ] || rc=1
    # read through the descriptor opened cold (another open might find the file fetched already)
    cmp - "$W/x/l/big/big.bin" <&$fd && echo "read through the cold open: content equal" || rc=1
    exec {fd}<&-
    for ((i = 0; i < 100; i++)); do s=$(state "$f"); [ "$s" = materialized ] && break; sleep 0.2; done
    echo "after close: state=$s"
    exec {fd}<"$f" || return 1
    s=$(state "$f"); echo "second open: state=$s (expected $want)"
    [ "$s" = "$want" ] || rc=1
    cmp "$f" "$W/x/l/big/big.bin" && echo "second open: content equal" || rc=1
    exec {fd}<&-
    return $rc
  }
  check large-file-cold-then-passthrough large_cold
  source_removed() {
    local rc=0 t0 out
    cmp "$m2/l/keep/small.txt" "$W/x/l/keep/small.txt" || rc=1
    cmp "$m2/p/keep/p.txt" "$obj2/pfx/keep/p.txt" || rc=1
    echo "before: l/gone/cold.txt $(state "$m2/l/gone/cold.txt"), p/gone/p2.txt $(state "$m2/p/gone/p2.txt")"
    cp "$obj2/pfx/keep/p.txt" "$W/p.txt.ref"
    rm -rf "$obj2/l.zip" "$obj2/pfx"
    t0=$SECONDS
    out=$(timeout 60 cat "$m2/l/gone/cold.txt" 2>&1); echo "l/gone/cold.txt (source gone): '$out' after $((SECONDS - t0))s"
    [[ $out == *"Input/output error"* ]] || rc=1
    t0=$SECONDS
    out=$(timeout 60 cat "$m2/p/gone/p2.txt" 2>&1); echo "p/gone/p2.txt (source gone): '$out' after $((SECONDS - t0))s"
    [[ $out == *"Input/output error"* ]] || rc=1
    [ $((SECONDS - t0)) -le 20 ] || { echo "EIO took longer than the 3 s fetch timeout allows"; rc=1; }
    cmp "$m2/l/keep/small.txt" "$W/x/l/keep/small.txt" && echo "materialized l/keep/small.txt still reads" || rc=1
    cmp "$m2/p/keep/p.txt" "$W/p.txt.ref" && echo "materialized p/keep/p.txt still reads" || rc=1
    cmp "$m2/l/big/big.bin" "$W/x/l/big/big.bin" && echo "materialized l/big/big.bin still reads" || rc=1
    return $rc
  }
  check source-removed-eio source_removed
  umount2() {
    umount "$m2" || return 1
    wait_gone "$pid2" 60 || { echo "daemon $pid2 still running 60 s after umount"; return 1; }
    cat "$W/stats2.json"
  }
  check unmount-small-threshold umount2
  served_cold() {
    local reads
    reads=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"].get("READ", 0))' "$W/stats2.json") || return 1
    echo "READ requests while the large file was cold: $reads"
    [ "$reads" -gt 0 ]
  }
  check large-file-read-by-daemon-while-cold served_cold
fi

# ---- tier A: the series kernel with --passthrough inode and inode-open ----
# warm MODE: mounts a tar with MODE, makes a file attach (read it, let its entry be looked up
# again), then counts what 20 stats and 20 open+read+close of it cost the daemon.
warm_requests() {
  local mode=$1 mnt=$W/m-$1 out rc=0 pid t s f i g0 r0 o0 g1 r1 o1
  f=$mnt/t/data/medium.bin
  mkdir -p "$mnt"
  out=$(thawfs mount --daemon --passthrough "$mode" --store "$W/store-$mode" --stats "$W/stats-$mode.json" \
    "$obj/b.tar=t" "$mnt" 2>&1)
  rc=$?; echo "$out" | head -20
  [ $rc -eq 0 ] && mountpoint -q "$mnt" || return 1
  pid=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
  t=$(status tier "$mnt"); echo "tier $t (expected A)"
  cmp "$f" "$src/data/medium.bin" || rc=1
  settle "$mnt"; sleep 2 # durable, then the name is invalidated: the next lookup attaches
  stat -c 'ino %i size %s' "$f"
  exec {fd}<"$f"; s=$(state "$f"); exec {fd}<&-
  echo "state while open: $s"
  g0=$(status daemon_getattrs "$mnt"); r0=$(status daemon_reads "$mnt"); o0=$(status daemon_opens "$mnt")
  for ((i = 0; i < 20; i++)); do stat "$f" >/dev/null; done
  for ((i = 0; i < 20; i++)); do cat "$f" >/dev/null; done
  g1=$(status daemon_getattrs "$mnt"); r1=$(status daemon_reads "$mnt"); o1=$(status daemon_opens "$mnt")
  echo "20 stats + 20 open/read/close of an attached file: GETATTR $((g1 - g0)), READ $((r1 - r0)), OPEN $((o1 - o0))"
  echo "backing ids registered: $(status backing_ids "$mnt")"
  echo 2 >/proc/sys/vm/drop_caches; sleep 1
  echo "backing ids after drop_caches: $(status backing_ids "$mnt")"
  umount "$mnt"; wait_gone "$pid" 60; cat "$W/stats-$mode.json"
  [ "$t" = A ] && [ "$s" = passthrough ] && [ $rc -eq 0 ] && [ $((g1 - g0)) -eq 0 ] && [ $((r1 - r0)) -eq 0 ] || return 1
  [ "$mode" != inode-open ] || [ $((o1 - o0)) -eq 0 ]
}

# sequences MODE: what applications do to attached files must never see EIO, ETXTBSY or EBUSY
# (a store budget of 4 MiB for 8.5 MB of files, files over 1 MiB served cold):
# a cold open + shared map beside later opens, hard links, 32 concurrent opens, eviction while
# attached and after the kernel forgets, re-lookup after a cold entry expires.
make_sequences_tar() {
  local s=$W/seq-src
  [ -f "$obj/seq.tar" ] && return 0
  mkdir -p "$s/big" "$s/hl" "$s/c" "$s/ev" "$s/x"
  head -c 1800000 /dev/urandom >"$s/big/cold.bin"
  head -c 300000 /dev/urandom >"$s/hl/a"; ln "$s/hl/a" "$s/hl/b"
  head -c 300000 /dev/urandom >"$s/c/c.bin"
  for i in 1 2 3 4 5 6 7; do head -c 900000 /dev/urandom >"$s/ev/f$i"; done
  echo expiring >"$s/x/late.txt"
  tar -C "$s" -cf "$obj/seq.tar" .
}
sequences() {
  local mode=$1 mnt=$W/ms-$1 s=$W/seq-src out rc=0 pid f i r0 r1 g0 g1
  make_sequences_tar || return 1
  mkdir -p "$mnt"
  printf '[store]\ndir = "%s"\nbudget = "4MiB"\n\n[mount]\nmaterialize-on-open = "1MiB"\nread-ahead = 0\n' \
    "$W/store-seq-$mode" >"$W/seq-$mode.toml"
  out=$(thawfs mount --daemon --config "$W/seq-$mode.toml" --passthrough "$mode" --stats "$W/stats-seq-$mode.json" \
    "$obj/seq.tar=s" "$mnt" 2>&1)
  rc=$?; echo "$out" | head -20
  [ $rc -eq 0 ] && mountpoint -q "$mnt" || return 1
  pid=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
  echo "tier $(status tier "$mnt")"

  echo "-- a cold open (direct I/O) mapped shared, opens beside it, then an open after all closed"
  $py "$check_py" held-cold "$mnt/s/big/cold.bin" "$s/big/cold.bin" yes || rc=1

  echo "-- hard links: one inode, both names read right"
  cmp "$mnt/s/hl/a" "$s/hl/a" && cmp "$mnt/s/hl/b" "$s/hl/a" || rc=1
  settle "$mnt"; sleep 2
  stat -c '%n ino %i links %h' "$mnt/s/hl/a" "$mnt/s/hl/b"
  [ "$(stat -c %i "$mnt/s/hl/a")" = "$(stat -c %i "$mnt/s/hl/b")" ] || { echo "two inodes"; rc=1; }

  echo "-- 32 concurrent opens of an attached file"
  cmp "$mnt/s/c/c.bin" "$s/c/c.bin" || rc=1
  settle "$mnt"; sleep 2; stat "$mnt/s/c/c.bin" >/dev/null
  r0=$(status daemon_reads "$mnt"); g0=$(status daemon_getattrs "$mnt")
  $py "$check_py" concurrent "$mnt/s/c/c.bin" "$s/c/c.bin" 32 || rc=1
  r1=$(status daemon_reads "$mnt"); g1=$(status daemon_getattrs "$mnt")
  echo "READ $((r1 - r0)), GETATTR $((g1 - g0)) for 32 concurrent open/read/close; state $(state "$mnt/s/c/c.bin")"
  [ $((r1 - r0)) -eq 0 ] || rc=1

  echo "-- eviction: 6 x 900 kB attached under a 4 MiB budget, then forgotten, then a 7th fetched"
  for i in 1 2 3 4 5 6; do cmp "$mnt/s/ev/f$i" "$s/ev/f$i" || rc=1; settle "$mnt"; done
  sleep 2
  for i in 1 2 3 4 5 6; do stat "$mnt/s/ev/f$i" >/dev/null; cmp "$mnt/s/ev/f$i" "$s/ev/f$i" || rc=1; done
  echo "attached: store_bytes $(status store_bytes "$mnt") budget $(status store_budget "$mnt")," \
    "backing ids $(status backing_ids "$mnt"), f1 $(state "$mnt/s/ev/f1")"
  echo 2 >/proc/sys/vm/drop_caches; sleep 1
  echo "after drop_caches: backing ids $(status backing_ids "$mnt")"
  cmp "$mnt/s/ev/f7" "$s/ev/f7" || rc=1; settle "$mnt"
  out=""; for i in 1 2 3 4 5 6 7; do out+="f$i $(state "$mnt/s/ev/f$i") "; done
  echo "after a 7th: store_bytes $(status store_bytes "$mnt"); $out"
  [[ $out == *cold* ]] || { echo "nothing was evicted"; rc=1; }
  for i in 1 2 3 4 5 6 7; do cmp "$mnt/s/ev/f$i" "$s/ev/f$i" || rc=1; done
  echo "all 7 read right again: store_bytes $(status store_bytes "$mnt")"

  echo "-- re-lookup after a cold entry expires, forget then lookup"
  stat -c '%n %s' "$mnt/s/x/late.txt"; sleep 2
  [ "$(cat "$mnt/s/x/late.txt")" = expiring ] || rc=1
  settle "$mnt"; sleep 2
  echo 2 >/proc/sys/vm/drop_caches
  [ "$(cat "$mnt/s/x/late.txt")" = expiring ] && echo "late.txt reads after its entry expired and was forgotten" || rc=1

  echo "before unmount: backing ids $(status backing_ids "$mnt")"
  umount "$mnt" || rc=1
  wait_gone "$pid" 60 || { echo "daemon $pid still running 60 s after umount"; rc=1; }
  return $rc
}
if [ -n "${THAWFS_SEQUENCES:-}" ]; then # a quick try on the host: THAWFS_SEQUENCES=auto
  check "sequences-$THAWFS_SEQUENCES" sequences "$THAWFS_SEQUENCES"
fi
if [ "${THAWFS_INODE_CHECK:-0}" = 1 ]; then
  check passthrough-inode-tier-a warm_requests inode
  check passthrough-inode-open-no-requests warm_requests inode-open
  check tier-a-sequences-inode sequences inode
  check tier-a-sequences-inode-open sequences inode-open
fi

if [ "${THAWFS_BENCH:-0}" != 0 ]; then
  bench_startup
fi

nothing_mounted() {
  local left
  left=$(grep -F " $W/" /proc/mounts)
  [ -z "$left" ] || { echo "still mounted: $left"; return 1; }
  left=$(pgrep -a -f -- "-jar $jar" || true)
  [ -z "$left" ] || { echo "still running: $left"; return 1; }
  echo "no thawfs mount and no daemon left"
}
check nothing-left-mounted nothing_mounted
echo "@@SUITE-END failures=$failures"
[ $failures -eq 0 ]
