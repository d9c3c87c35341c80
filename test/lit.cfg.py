# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "TFC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tfc_obj_root, "test")

# Scripts use Debian's interpreter, which sees python3-onnx/numpy/torch.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%tfc_src", config.tfc_src_root))
config.substitutions.append(("%{tfc_run}", os.path.join(config.tfc_tools_dir, "tfc-run")))
config.substitutions.append(("%{tfc_translate}", os.path.join(config.tfc_tools_dir, "tfc-translate")))
config.substitutions.append(("%{tfc_tools}", config.tfc_tools_dir))
config.substitutions.append(("%{cc}", config.tfc_host_cc))
config.substitutions.append(("%{onnx_node_data}", "/usr/share/libonnx-testdata/data/node"))
llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.tfc_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Larger model tests run only when asked: lit --param large_models=1.
if lit_config.params.get("large_models") or os.environ.get("TFC_LARGE_MODELS"):
    config.available_features.add("large-models")

# The bf16 GEMM kernels run only where the CPU has AVX512-BF16.
cpu_flags = set()
try:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                cpu_flags = set(line.split(":", 1)[1].split())
                break
except OSError:
    pass
if "avx512_bf16" in cpu_flags:
    config.available_features.add("avx512bf16")
if "avx2" in cpu_flags and "fma" in cpu_flags:
    config.available_features.add("avx2")
# tfc-compile --cpu: a CPU with a feature this host lacks, and that feature
# (LLVM's name): x86-64-v4 without AVX-512, else sapphirerapids without AMX.
for cpu, feature, flag in [("x86-64-v4", "avx512f", "avx512f"),
                           ("sapphirerapids", "amx-tile", "amx_tile")]:
    if cpu_flags and flag not in cpu_flags:
        config.available_features.add("lacking-cpu")
        config.substitutions.append(("%lacking_cpu", cpu))
        config.substitutions.append(("%lacking_feature", feature))
        break
