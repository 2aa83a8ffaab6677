#!/usr/bin/env bash
# The sweep on a real job scheduler: starts a single-node Slurm cluster on localhost, submits the cell comparison as
# an array job of 4 tasks, waits, merges, checks that every configuration ran exactly once and that the merged table
# equals a local sequential run's (same seeds; the seconds column and the merge date excluded), checks that a rerun
# skips finished work, and stops the daemons. Needs root (it installs slurm-wlm and munge when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/sk-slurm-test.XXXXXX)
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
dotnet build benchmarks/SequenceKit.CellComparison -c Release -v q -nologo >/dev/null
app=$PWD/benchmarks/SequenceKit.CellComparison/bin/Release/net10.0/SequenceKit.CellComparison.dll
options=(--quick --threads 1 --doctor off)

bash build/slurm-local.sh start "$work/cluster"
trap 'bash build/slurm-local.sh stop "$work/cluster"' EXIT
export SLURM_CONF=$work/cluster/slurm.conf
SK_APP=$app SK_RESULTS=$work/slurm-results sbatch --wait --array=0-3 --output="$work/task-%a.out" \
  deploy/slurm/cell-comparison.sbatch "${options[@]}"
for task in 0 1 2 3; do
  grep -q "^shard $task/4: ran [1-9]" "$work/task-$task.out" || { echo "slurm-test: task $task did not run its shard" >&2; cat "$work/task-$task.out" >&2; exit 1; }
done
dotnet "$app" merge --results "$work/slurm-results" --output "$work/slurm" >/dev/null

dotnet "$app" run --results "$work/local-results" "${options[@]}" >/dev/null
dotnet "$app" merge --results "$work/local-results" --output "$work/local" >/dev/null
deterministic() { tail -n +3 "$1" | awk -F'|' 'BEGIN { OFS = "|" } { $5 = ""; print }'; }   # drop the header line and "Seconds / epoch"
if ! diff <(deterministic "$work/slurm/cell-comparison.md") <(deterministic "$work/local/cell-comparison.md"); then
  echo "slurm-test: the merged Slurm table differs from the local run's" >&2; exit 1
fi
rows=$(grep -c '^| [a-z]' "$work/slurm/cell-comparison.md")
[ "$rows" -eq 15 ] || { echo "slurm-test: $rows rows, expected 15" >&2; exit 1; }

rerun=$(SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 dotnet "$app" run --results "$work/slurm-results" "${options[@]}" | tail -n 1)
[[ $rerun == "shard 2/4: ran 0, skipped "* ]] || { echo "slurm-test: a rerun did not skip finished work: $rerun" >&2; exit 1; }
echo "slurm-test: 4 array tasks, 15 configurations merged, table equal to the local run's; rerun: $rerun"
rm -rf "$work/slurm-results" "$work/local-results"
