#!/usr/bin/env bash
# What each job of a class graded in shards runs: a GitHub Actions matrix
# (grade-class.github-actions.yml), a Slurm job array (grade-class.slurm), or n machines
# by hand. Run from anywhere; it works in the project's folder.
#
#   docs/ci/grade-class.sh shard I N   grade every N-th student from the I-th into $WORK/class-shard-I
#   docs/ci/grade-class.sh merge       join $WORK/class-shard-* into $WORK/class (gradebook.csv)
#
# Settings come from the environment: SUBMISSIONS (a folder with one folder or archive per
# student), PARTS (e.g. 2A,2B,2C,2D), COUNT (runs per test), SEED (the same on every shard),
# WORK (default out), and any other make grade setting (PROFILE, PARALLEL, TEST_WALL_S,
# TOTAL_WALL_S, STALL_S, TYPECHECK=0). A shard that is run again resumes: students already
# graded under the same plan are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${WORK:-out}"
case "${1:-}" in
  shard)
    [ $# -eq 3 ] || { echo "usage: $0 shard I N" >&2; exit 2; }
    : "${SUBMISSIONS:?set SUBMISSIONS to the folder of submissions}" "${PARTS:?set PARTS, e.g. 2A,2B}" "${COUNT:?set COUNT}" "${SEED:?set SEED (the same for every shard)}"
    exec make grade-class SUBMISSIONS="$SUBMISSIONS" PARTS="$PARTS" COUNT="$COUNT" SEED="$SEED" SHARD="$2/$3" OUT="$WORK/class-shard-$2"
    ;;
  merge)
    exec make gradebook IN="$WORK/class-shard-*" OUT="$WORK/class"
    ;;
  *)
    echo "usage: $0 shard I N | merge" >&2
    exit 2
    ;;
esac
