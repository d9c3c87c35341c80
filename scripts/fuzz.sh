#!/usr/bin/env bash
# Builds tfc's libFuzzer targets (fuzz/, ASan+UBSan, in build-fuzz/) and runs
# each for SECONDS (default 60) from seed corpora made of the test models,
# the malformed-model corpus, the ONNX conformance models and tensors, and
# the lit tests' MLIR. Prints executions and crashes per target; inputs that
# crash are left as OUT/<target>-crash-* (OUT defaults to /tmp/tfc-fuzz).
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
OUT=${FUZZ_OUT:-/tmp/tfc-fuzz}
TARGETS_LIST="onnx_import_fuzzer onnx_compile_fuzzer tensor_input_fuzzer mlir_parse_fuzzer"
CMAKE_EXTRA_ARGS="-DTFC_FUZZ=ON" TARGETS="$TARGETS_LIST" \
  scripts/setup.sh "$BUILD_DIR"

mkdir -p "$OUT"
seeds="$OUT/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"/{onnx_import_fuzzer,onnx_compile_fuzzer,tensor_input_fuzzer,mlir_parse_fuzzer}
# ONNX models: the importer tests' cases, the malformed corpus, conformance.
for c in add_dynamic add_shared_dim weights gemm unsupported_op unknown_attr \
         opset18 undefined_input shape_mismatch truncated; do
  /usr/bin/python3 test/Import/ONNX/Inputs/make_model.py "$c" \
    "$seeds/onnx_import_fuzzer/$c.onnx" >/dev/null 2>&1 || true
done
/usr/bin/python3 test/Import/ONNX/Inputs/check_malformed.py /bin/false \
  "$OUT/malformed" >/dev/null 2>&1 || true
cp "$OUT"/malformed/*.onnx "$seeds/onnx_import_fuzzer/" 2>/dev/null || true
data=/usr/share/libonnx-testdata/data/node
i=0
for d in "$data"/*/; do
  n=$(basename "$d")
  cp "$d/model.onnx" "$seeds/onnx_import_fuzzer/$n.onnx"
  for pb in "$d"/test_data_set_0/*.pb; do
    [ -f "$pb" ] && cp "$pb" "$seeds/tensor_input_fuzzer/$n.$(basename "$pb")"
  done
  i=$((i + 1))
done
# The compile fuzzer starts from the same models.
cp "$seeds"/onnx_import_fuzzer/*.onnx "$seeds/onnx_compile_fuzzer/"
# A linear layer that --strassen's kernels take (24 rows, K 128, N 64;
# the compile fuzzer compiles odd-length inputs with --strassen): one seed
# of each length.
/usr/bin/python3 - "$seeds/onnx_compile_fuzzer" <<'PY'
import sys, numpy as np, onnx
from onnx import helper, numpy_helper
w = numpy_helper.from_array(
    np.random.default_rng(0).standard_normal((128, 64)).astype(np.float32), "w")
g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                      [helper.make_tensor_value_info("x", 1, [24, 128])],
                      [helper.make_tensor_value_info("y", 1, [24, 64])], [w])
data = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
# The second has a 1-byte doc_string more (field 6: 3 bytes), the other parity.
for name, blob in (("strassen_a", data), ("strassen_b", data + b"\x32\x01a")):
    with open("%s/%s.onnx" % (sys.argv[1], name), "wb") as f:
        f.write(blob)
PY
/usr/bin/python3 - "$seeds/tensor_input_fuzzer" <<'PY'
import sys, numpy as np
for i, a in enumerate([np.arange(6, dtype=np.float32).reshape(2, 3),
                       np.zeros((0, 4), np.int64), np.ones(3, np.float16),
                       np.array(True)]):
    np.save("%s/seed%d.npy" % (sys.argv[1], i), a)
PY
# MLIR: every lit test file, split at its "// -----" markers.
n=0
while IFS= read -r f; do
  awk -v out="$seeds/mlir_parse_fuzzer/$(basename "$f" .mlir)" \
    'BEGIN{k=0} /^\/\/ -----/{k++; next} {print > (out "." k ".mlir")}' "$f"
  n=$((n + 1))
done < <(find test -name '*.mlir')

status=0
for t in $TARGETS_LIST; do
  corpus="$OUT/corpus/$t"
  mkdir -p "$corpus"
  log="$OUT/$t.log"
  set +e
  "$BUILD_DIR/bin/$t" -max_total_time="$SECONDS_EACH" -timeout=20 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$OUT/$t-" \
    "$corpus" "$seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}')
  crashes=$( (ls "$OUT/$t"-crash-* "$OUT/$t"-leak-* "$OUT/$t"-timeout-* \
             "$OUT/$t"-oom-* 2>/dev/null || true) | wc -l)
  echo "$t: ${execs:-?} executions in ${SECONDS_EACH} s, $crashes crashing inputs (exit $rc, log $log)"
  [ "$rc" = 0 ] && [ "$crashes" = 0 ] || status=1
done
exit $status
