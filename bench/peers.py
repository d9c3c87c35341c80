"""Shared helpers of tfc's benchmark programs: installing the ONNX Runtime
peer (npm onnxruntime-node into bench/node_modules) and running tfc-run and
ONNX Runtime on a model, parsing their median latency and run memory."""
import ctypes
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_TFC_RUN = os.path.join(ROOT, "build", "bin", "tfc-run")


def ensure_onnxruntime():
    """Installs nodejs/npm (apt) and onnxruntime-node (npm) when missing."""
    if not shutil.which("npm"):
        apt_install("nodejs", "npm")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HERE,
                       check=True, capture_output=True)


def apt_install(*packages):
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update"], check=True, capture_output=True)
    subprocess.run(sudo + ["apt-get", "install", "-y"] + list(packages), check=True,
                   capture_output=True)


OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3"


def load_openblas():
    """Debian's python3-torch runs its f32 matmuls through libblas.so.3,
    by default the reference BLAS: torch eager then took 10 s for BERT-base
    (2 GFLOP/s), not a peer worth the name. Loads OpenBLAS's OpenMP build
    (apt libopenblas0-openmp, installed when missing) into this process, so
    that torch, imported after, binds its libblas.so.3 to it whichever
    libblas.so.3 the system's alternatives choose (installing the package
    makes it their choice too, over the reference BLAS). OpenBLAS's pthreads
    build, beside torch's OpenMP threads, ran BERT-base at 2 threads 2x
    slower than at 1. Returns (its description, a function setting its threads):
    torch.set_num_threads leaves them alone."""
    if "torch" in sys.modules:
        raise RuntimeError("load_openblas must run before torch is imported")
    if not os.path.exists(OPENBLAS):
        try:
            apt_install("libopenblas0-openmp")
        except (OSError, subprocess.CalledProcessError) as e:
            print("warning: cannot install OpenBLAS (%s); torch eager runs on the "
                  "system's libblas.so.3" % e, file=sys.stderr)
            return "the system's libblas.so.3 (OpenBLAS not installed)", lambda n: None
    lib = ctypes.CDLL(OPENBLAS, mode=ctypes.RTLD_GLOBAL)
    lib.openblas_get_config.restype = ctypes.c_char_p
    return lib.openblas_get_config().decode(), lib.openblas_set_num_threads


def machine_line():
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1)
    return "machine: %s, %d cpus" % (cpu, os.cpu_count())


def parse(out):
    """(median ms, run memory MiB) from tfc-run --bench or ort_bench.js."""
    ms = float(re.search(r"latency: median ([0-9.]+) ms", out).group(1))
    m = re.search(r"run memory: peak ([0-9.]+) MiB", out)
    return ms, float(m.group(1)) if m else float("nan")


def run_tfc(tfc_run, model, inputs, reps, extra=(), output_dir=None):
    """inputs: {name: file}. Returns (ms, MiB, stdout, stderr)."""
    cmd = [tfc_run, model, "--bench", str(reps)] + list(extra)
    for n, f in inputs.items():
        cmd += ["--input", "%s=%s" % (n, f)]
    if output_dir:
        cmd += ["--output-dir", output_dir]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tfc-run failed: " + r.stderr.strip())
    return parse(r.stdout) + (r.stdout, r.stderr)


def run_ort(model, inputs, reps, threads=1):
    cmd = ["node", os.path.join(HERE, "ort_bench.js"), model, str(reps), str(threads)]
    cmd += ["%s=%s" % (n, f) for n, f in inputs.items()]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("onnxruntime failed: " + r.stderr.strip())
    return parse(r.stdout)
