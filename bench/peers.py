"""Shared helpers of tfc's benchmark programs: installing the ONNX Runtime
peer (npm onnxruntime-node into bench/node_modules) and running tfc-run and
ONNX Runtime on a model, parsing their median latency and run memory."""
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_TFC_RUN = os.path.join(ROOT, "build", "bin", "tfc-run")


def ensure_onnxruntime():
    """Installs nodejs/npm (apt) and onnxruntime-node (npm) when missing."""
    if not shutil.which("npm"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update"], check=True, capture_output=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "nodejs", "npm"], check=True,
                       capture_output=True)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HERE,
                       check=True, capture_output=True)


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
