#!/usr/bin/python3
"""Replays every input a fuzz target once crashed on (test/Fuzz/regressions/
<target>/*) through the tool that reads that kind of input, and checks the
tool answers with exit status 0 or 1: never a signal or a sanitizer abort.
Run under the sanitizer build (README "Robustness") the same inputs also
prove the fixed undefined behaviour stays fixed.

Usage: replay_regressions.py REGRESSIONS_DIR TOOLS_DIR WORK_DIR
"""
import os
import subprocess
import sys


def main():
    root, tools, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    identity = os.path.join(work, "identity.mlir")
    with open(identity, "w") as f:
        f.write("func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {\n"
                "  return %x : tensor<?xf32>\n}\n")
    commands = {
        "onnx_import_fuzzer": lambda f: [os.path.join(tools, "tfc-translate"),
                                         "--import-onnx", f, "-o", os.devnull],
        "mlir_parse_fuzzer": lambda f: [os.path.join(tools, "tfc-opt"), f,
                                        "-o", os.devnull],
        # tfc-run parses the input file before checking it against the
        # model's input (a mismatch is a clean exit 1).
        "tensor_input_fuzzer": lambda f: [os.path.join(tools, "tfc-run"),
                                          identity, "--input", "input0=" + f,
                                          "--output-dir", work],
    }
    failures = total = 0
    for target in sorted(os.listdir(root)):
        if target not in commands:
            continue  # lit.local.cfg
        for name in sorted(os.listdir(os.path.join(root, target))):
            path = os.path.join(root, target, name)
            total += 1
            r = subprocess.run(commands[target](path), capture_output=True,
                               timeout=120)
            ok = r.returncode in (0, 1)
            failures += not ok
            print("%s %s/%s: exit %d" % ("ok" if ok else "FAILED", target, name,
                                         r.returncode))
    print("%d inputs, %d failures" % (total, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
