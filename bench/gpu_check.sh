#!/usr/bin/env bash
# The GPU check: what no CPU can show, in one command on a lent CUDA machine (about 10 minutes on one GPU).
#   bench/gpu_check.sh             run every step, then print one summary table (step, status, seconds, log)
#   bench/gpu_check.sh --dry-run   on any machine: print the steps and check that each one's script is there and
#                                  parses (tests/test_bench.py runs this on the CPU)
# Steps: the notebooks' `#| gpu` cells; bench/step.py, bench/precision.py (fp32 against bf16) and bench/cotrain.py
# on CUDA (ratios measured in one run);
# every training mode for 2 epochs on CUDA on 32x32 images (bf16 autocast, channels-last memory); DDP with NCCL on two GPUs when there
# are two, else an NCCL group of one process (the group's start and the DDP wrapping, no traffic between GPUs).
# Each step's output goes to runs/gpu_check/<step>.log; a failed step does not stop the others, and a step that
# runs past STEP_TIMEOUT seconds (default 600) is stopped and reported as failed (124).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/gpu_check}
DRY=0
case "${1:-}" in
  --dry-run) DRY=1 ;;
  "") ;;
  *) echo "usage: bench/gpu_check.sh [--dry-run]" >&2; exit 2 ;;
esac

# name | command | what must hold first ("" always, "2gpu" two GPUs or more, "1gpu" exactly one)
STEPS=(
  "gpu-cells|$PY -m nbdev.test --flags gpu --path nbs/02_models.ipynb && $PY -m nbdev.test --flags gpu --path nbs/08_train.ipynb|"
  "step|$PY bench/step.py --device cuda --out $OUT/step|"
  "precision|$PY bench/precision.py --device cuda --out $OUT/precision|"
  "cotrain|$PY bench/cotrain.py --device cuda|"
  "every-mode|$PY bench/behaviour.py --device cuda --precision bf16 --images --out $OUT/behaviour_cuda.json|"
  "ddp-nccl|$PY bench/ddp.py --device cuda --nprocs 2|2gpu"
  "ddp-nccl-1|$PY bench/ddp.py --device cuda --nprocs 1|1gpu"
)

scripts_of() { grep -o 'bench/[a-z_]*\.py\|nbs/[0-9a-z_]*\.ipynb' <<< "$1"; }

if [ "$DRY" = 1 ]; then
  bad=0
  printf '%-11s %-8s %s\n' step check command
  for s in "${STEPS[@]}"; do
    IFS='|' read -r name cmd need <<< "$s"
    ok=""
    for f in $(scripts_of "$cmd"); do
      [ -f "$f" ] || { ok+="${ok:+, }missing $f"; continue; }
      case "$f" in *.py) "$PY" -m py_compile "$f" 2>/dev/null || ok+="${ok:+, }does not parse: $f" ;; esac
    done
    [ -z "$ok" ] && ok=ok || bad=1
    printf '%-11s %-8s %s\n' "$name" "$ok" "$cmd${need:+ (needs $need)}"
  done
  exit $bad
fi

"$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || {
  echo "no CUDA device here: run bench/gpu_check.sh --dry-run to check the steps" >&2; exit 2; }
GPUS=$("$PY" -c "import torch; print(torch.cuda.device_count())")
mkdir -p "$OUT"
rows=()
for s in "${STEPS[@]}"; do
  IFS='|' read -r name cmd need <<< "$s"
  if { [ "$need" = 2gpu ] && [ "$GPUS" -lt 2 ]; } || { [ "$need" = 1gpu ] && [ "$GPUS" -ne 1 ]; }; then
    rows+=("$name|skipped ($GPUS GPU)|0|"); continue; fi
  echo "== $name: $cmd"
  t0=$(date +%s)
  if timeout "${STEP_TIMEOUT:-600}" bash -c "$cmd" > "$OUT/$name.log" 2>&1; then st=ok; else st="failed ($?)"; fi
  rows+=("$name|$st|$(( $(date +%s) - t0 ))|$OUT/$name.log")
  tail -n 5 "$OUT/$name.log"
done
echo
"$PY" -c "import torch; print(f'{torch.cuda.get_device_name(0)}, {torch.cuda.device_count()} GPU(s), torch {torch.__version__}')"
printf '| %-11s | %-16s | %7s | %s |\n' step status seconds log
printf '|%s|%s|%s|%s|\n' ------------- ------------------ --------- -----
for r in "${rows[@]}"; do
  IFS='|' read -r name st secs log <<< "$r"
  printf '| %-11s | %-16s | %7s | %s |\n' "$name" "$st" "$secs" "$log"
done
