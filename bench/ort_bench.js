// Runs an ONNX model with onnxruntime-node (CPU provider, all graph
// optimizations) and prints the median latency of REPS runs after one
// warm-up, and the peak resident memory of the runs (warm-up included) above
// the resident set with the session and inputs loaded (VmHWM reset through
// /proc/self/clear_refs, as tfc-run --bench measures it).
//
// Usage: node ort_bench.js MODEL.onnx REPS THREADS NAME=FILE.npy...
// Inputs: .npy files of float32, int64 or bool.
const fs = require('fs');
const ort = require('onnxruntime-node');

const DTYPES = {'<f4': ['float32', Float32Array], '<i8': ['int64', BigInt64Array],
                '|b1': ['bool', Uint8Array]};

function loadNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const descr = header.match(/'descr': '([^']*)'/)[1];
  if (!DTYPES[descr]) throw new Error(`${file}: unsupported dtype ${descr}`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1]
      .split(',').map((x) => x.trim()).filter((x) => x).map(Number);
  const [type, Ctor] = DTYPES[descr];
  const bytes = buf.subarray(10 + headerLen);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = type === 'bool' ? Array.from(copy, (x) => x !== 0)
                               : new Ctor(copy.buffer);
  return new ort.Tensor(type, data, shape);
}

function statusKiB(key) {
  const m = fs.readFileSync('/proc/self/status', 'utf8')
      .match(new RegExp('^' + key + ':\\s+(\\d+) kB', 'm'));
  return m ? Number(m[1]) : -1;
}

async function main() {
  const [model, repsArg, threadsArg, ...inputs] = process.argv.slice(2);
  const reps = Number(repsArg);
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: Number(threadsArg),
    interOpNumThreads: 1, executionProviders: ['cpu']});
  const feeds = {};
  for (const arg of inputs) {
    const eq = arg.indexOf('=');
    feeds[arg.slice(0, eq)] = loadNpy(arg.slice(eq + 1));
  }
  const base = statusKiB('VmRSS');
  fs.writeFileSync('/proc/self/clear_refs', '5');
  await session.run(feeds);  // warm-up
  const ms = [];
  for (let i = 0; i < reps; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const peak = statusKiB('VmHWM');
  ms.sort((a, b) => a - b);
  console.log(`latency: median ${ms[ms.length >> 1].toFixed(3)} ms over ${reps} runs`);
  console.log(`run memory: peak ${(Math.max(0, peak - base) / 1024).toFixed(1)} MiB`);
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
