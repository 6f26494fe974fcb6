#!/usr/bin/env bash
# images/prove-images.sh [DIR] — runs the images that ./mvnw -Pimages package wrote to DIR (default target/images)
# the way a cluster node would, with no Docker daemon: Debian's skopeo and umoci unpack each OCI tarball into a
# bundle and runc runs it, as the image's own non-root user, with a read-only root filesystem and a network
# namespace of its own (loopback only, so nothing can be downloaded).
#
# Checks: every image's config (skopeo inspect: numeric non-root user, entrypoint, OCI labels, fixed creation
# time, platform); `mm1 train --help`; a few steps of the tiny sample on synthetic data mounted in (./mm1 data
# synth), once with -f and once in pod mode as the operator starts it (same first loss); the control plane on its
# embedded PostgreSQL answering /q/health with UP; the operator booting up to its (absent) Kubernetes API. Prints
# one JSON object with the timings on the last line.
#
# Needs root, skopeo, umoci, runc, jq, curl, nsenter, and a JDK 25 for ./mm1 data synth.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$(cd "${1:-$repo/target/images}" && pwd)"
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
fail() { echo "prove-images: FAILED: $*" >&2; exit 1; }
say() { echo "prove-images: $*" >&2; }
[ "$(id -u)" = 0 ] || fail "runc needs root here"
for tool in skopeo umoci runc jq curl nsenter; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install skopeo umoci runc jq curl util-linux)"
done

work=$(mktemp -d)
prefix="mm1-proof-$$"
cleanup() {
  for id in $(runc list -q 2>/dev/null | grep "^$prefix" || true); do
    runc kill "$id" KILL 2>/dev/null || true
    runc delete -f "$id" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)
timings=()
timed() { timings+=("\"$1\": $2"); }

# --- image configs -------------------------------------------------------------------------------------------
for name in mm1 mm1-operator mm1-control-plane; do
  tarball="$dir/$name.tar"
  [ -f "$tarball" ] || fail "$tarball is missing: run ./mvnw -Pimages package first"
  skopeo inspect "oci-archive:$tarball" > "$work/$name.inspect.json" || fail "skopeo cannot read $tarball"
  skopeo inspect --config "oci-archive:$tarball" > "$work/$name.config.json"
  problems=$(jq -r --arg arch "$arch" '
      [ (if (.config.User // "") | test("^[1-9][0-9]*:[0-9]+$") then empty else "user is \(.config.User // "unset"), not a numeric non-root uid:gid" end),
        (if .config.Entrypoint[0] == "java" then empty else "entrypoint does not start java: \(.config.Entrypoint)" end),
        (.config.Labels as $l | ["org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision"][]
           | select(($l[.] // "") == "") | "label \(.) is missing"),
        (if .created == "1970-01-01T00:00:00Z" then empty else "creation time \(.created) is not fixed (not reproducible)" end),
        (if .os == "linux" and .architecture == $arch then empty else "platform \(.os)/\(.architecture) is not linux/\($arch)" end)
      ] | .[]' "$work/$name.config.json")
  [ -z "$problems" ] || fail "$name: $problems"
  say "$name: user $(jq -r .config.User "$work/$name.config.json"), $(jq -r '.Layers | length' "$work/$name.inspect.json") layers,"\
" revision $(jq -r '.config.Labels["org.opencontainers.image.revision"]' "$work/$name.config.json"), digest $(jq -r .Digest "$work/$name.inspect.json")"
done

# --- bundles -------------------------------------------------------------------------------------------------
unpack() {  # NAME -> $work/bundle-NAME with the pristine runtime config kept as config.image.json
  local t0; t0=$(date +%s)
  skopeo copy -q "oci-archive:$dir/$1.tar" "oci:$work/oci-$1:$1"
  umoci unpack --image "$work/oci-$1:$1" "$work/bundle-$1" > /dev/null
  cp "$work/bundle-$1/config.json" "$work/bundle-$1/config.image.json"
  timed "unpack_$1_s" $(( $(date +%s) - t0 ))
}
# configure NAME ARGS_JSON [ENV_JSON] [MOUNTS_JSON]: the image's entrypoint with ARGS, no terminal, read-only
# root, a private /tmp, the given environment and mounts.
configure() {
  jq --argjson args "$2" --argjson env "${3:-[]}" --argjson mounts "${4:-[]}" --slurpfile image "$work/$1.config.json" '
      .process.args = ($image[0].config.Entrypoint + $args)
      | .process.terminal = false
      | .process.env += $env
      | .root.readonly = true
      | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                     "options": ["nosuid", "nodev", "mode=1777", "size=1g"]}] + $mounts' \
    "$work/bundle-$1/config.image.json" > "$work/bundle-$1/config.json"
}
run() {  # NAME LOG: runs the bundle in the foreground, returns its exit code
  local code=0
  timeout 900 runc run -b "$work/bundle-$1" "$prefix-$1-$RANDOM" > "$2" 2>&1 || code=$?
  return $code
}
bind() { printf '{"destination": "%s", "type": "bind", "source": "%s", "options": ["rbind", "%s"]}' "$1" "$2" "$3"; }

# --- mm1 -------------------------------------------------------------------------------------------------------
unpack mm1
configure mm1 '["train", "--help"]'
run mm1 "$work/train-help.log" || { cat "$work/train-help.log" >&2; fail "mm1 train --help exited non-zero"; }
grep -q "Usage: train" "$work/train-help.log" || fail "mm1 train --help printed no usage: $(head -5 "$work/train-help.log")"
say "mm1 train --help: ok"

t0=$(date +%s)
"$repo/mm1" data synth --out "$work/data/shapes" --seed 1 > "$work/synth.log" 2>&1 \
  || { cat "$work/synth.log" >&2; fail "./mm1 data synth failed"; }
timed synth_s $(( $(date +%s) - t0 ))
mkdir -p "$work/runs" && chown 65532:65532 "$work/runs"
mounts="[$(bind /data "$work/data" ro), $(bind /spec "$repo/manifests/samples" ro), $(bind /runs "$work/runs" rw)]"
steps=3

t0=$(date +%s)
configure mm1 "[\"train\", \"-f\", \"/spec/tiny-pretrain.yaml\", \"--data-root\", \"/data\", \"--run-dir\", \"/runs/local\",
  \"--threads\", \"2\", \"--set\", \"optimization.steps=$steps\", \"--set\", \"optimization.warmupSteps=1\",
  \"--set\", \"checkpoints.everySteps=$steps\"]" '[]' "$mounts"
run mm1 "$work/train-local.log" || { tail -30 "$work/train-local.log" >&2; fail "mm1 train -f tiny-pretrain.yaml failed"; }
timed train_local_s $(( $(date +%s) - t0 ))
[ "$(wc -l < "$work/runs/local/metrics.jsonl")" -eq $steps ] || fail "the -f run logged $(wc -l < "$work/runs/local/metrics.jsonl") steps, not $steps"
[ -f "$work/runs/local/step-00000000$steps/MANIFEST.json" ] || fail "the -f run committed no checkpoint at step $steps"
[ "$(stat -c %u "$work/runs/local/step-00000000$steps/model.safetensors")" = 65532 ] || fail "the checkpoint is not owned by the image's user"
say "mm1 train -f tiny-pretrain.yaml: $steps steps, checkpoint step-00000000$steps ($(tail -1 "$work/train-local.log"))"

# Pod mode, as the operator's pods run it: argument "train", the config and the pod environment.
t0=$(date +%s)
configure mm1 '["train"]' '["MM1_CONFIG=/runs/local/config.json", "MM1_RUN_ID=image-proof", "MM1_CHECKPOINT_DIR=/runs/pod",
  "MM1_ATTEMPT=1", "NODE_RANK=0", "NNODES=1", "NPROC_PER_NODE=1", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=29500",
  "MM1_THREADS=2"]' "$mounts"
run mm1 "$work/train-pod.log" || { tail -30 "$work/train-pod.log" >&2; fail "mm1 train in pod mode failed"; }
timed train_pod_s $(( $(date +%s) - t0 ))
[ -f "$work/runs/pod/step-00000000$steps/MANIFEST.json" ] || fail "pod mode committed no checkpoint at step $steps"
# The same config and seed: the first step (same initial weights, same first batch) must agree exactly. Later
# steps are compared and reported; they have been seen to differ once in five pod-mode runs on a busy machine
# (a trainer matter, reported in images/README.md), so a difference there is a warning, not a failure.
first() { jq -s '.[0].loss' "$1"; }
last() { jq -s '.[-1].loss' "$1"; }
[ "$(first "$work/runs/local/metrics.jsonl")" = "$(first "$work/runs/pod/metrics.jsonl")" ] \
  || fail "pod mode's first loss $(first "$work/runs/pod/metrics.jsonl") differs from the -f run's $(first "$work/runs/local/metrics.jsonl")"
if [ "$(last "$work/runs/local/metrics.jsonl")" != "$(last "$work/runs/pod/metrics.jsonl")" ]; then
  say "WARNING: after $steps steps pod mode's loss is $(last "$work/runs/pod/metrics.jsonl"), the -f run's $(last "$work/runs/local/metrics.jsonl")"
fi
say "mm1 train (pod mode): $steps steps, first loss $(first "$work/runs/pod/metrics.jsonl") as in the -f run, last $(last "$work/runs/pod/metrics.jsonl")"

# --- control plane ------------------------------------------------------------------------------------------------
unpack mm1-control-plane
home='{"destination": "/home/mm1", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=0755", "uid=65532", "gid=65532", "size=1g"]}'
configure mm1-control-plane '[]' '[]' "[$home]"
id="$prefix-control-plane"
t0=$(date +%s)
runc run -b "$work/bundle-mm1-control-plane" "$id" > "$work/control-plane.log" 2>&1 &
for _ in $(seq 1 50); do
  [ "$(runc state "$id" 2>/dev/null | jq -r .status)" = running ] && break
  sleep 0.2
done
pid=$(runc state "$id" | jq .pid) || fail "the control plane did not start: $(tail -20 "$work/control-plane.log")"
health=""
for _ in $(seq 1 180); do
  if health=$(nsenter -t "$pid" -n curl -sf http://127.0.0.1:8080/q/health 2>/dev/null); then break; fi
  [ "$(runc state "$id" 2>/dev/null | jq -r .status)" = running ] || break
  sleep 1
done
[ "$(echo "${health:-{\}}" | jq -r .status)" = UP ] || { tail -40 "$work/control-plane.log" >&2; fail "the control plane's /q/health is not UP: ${health:-no answer}"; }
timed control_plane_ready_s $(( $(date +%s) - t0 ))
say "mm1-control-plane: /q/health UP ($(echo "$health" | jq -c '[.checks[] | "\(.name): \(.status)"]'))"
runc kill "$id" TERM
for _ in $(seq 1 30); do runc state "$id" > /dev/null 2>&1 || break; sleep 1; done
grep -q "control-plane stopped" "$work/control-plane.log" || fail "the control plane did not stop cleanly on SIGTERM"

# --- operator ------------------------------------------------------------------------------------------------------
# It needs a Kubernetes API to run; with none it must still boot Quarkus and JOSDK, register both reconcilers and
# start their controllers before it stops on the unreachable API (read-only root, no writable path but /tmp).
unpack mm1-operator
configure mm1-operator '[]' '["KUBERNETES_MASTER=https://127.0.0.1:1"]'
t0=$(date +%s)
run mm1-operator "$work/operator.log" || true
timed operator_boot_s $(( $(date +%s) - t0 ))
for expected in "Registered reconciler: 'mm1training'" "Registered reconciler: 'mm1eval'" "Starting 'mm1training' controller"; do
  grep -q "$expected" "$work/operator.log" || { tail -30 "$work/operator.log" >&2; fail "the operator image did not log: $expected"; }
done
! grep -qi "read-only file system" "$work/operator.log" || fail "the operator wrote outside /tmp: $(grep -i 'read-only file system' "$work/operator.log" | head -1)"
say "mm1-operator: Quarkus and both reconcilers started, then stopped on the unreachable API as expected"

total=$(( $(date +%s) - started ))
say "all checks passed in $total s"
printf '{"images": "%s", "seconds": %s, %s}\n' "$dir" "$total" "$(IFS=,; echo "${timings[*]}")"
