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
try:
    with open("/proc/cpuinfo") as f:
        if " avx512_bf16" in f.read():
            config.available_features.add("avx512bf16")
except OSError:
    pass
