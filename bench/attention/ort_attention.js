// Runs attention.onnx with onnxruntime-node (CPU, all graph optimizations,
// one intra-op thread like tfc today) on the inputs q.npy, k.npy, v.npy of
// DIR; prints the median latency of REPS runs after one warm-up and the peak
// resident memory of the runs (warm-up included) above the resident set with
// the session and inputs loaded (VmHWM reset via /proc/self/clear_refs, as
// tfc-run --bench does).
//
// Usage: node ort_attention.js DIR REPS [THREADS]
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function loadNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1]
      .split(',').map((x) => x.trim()).filter((x) => x).map(Number);
  const data = new Float32Array(buf.buffer.slice(
      buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length));
  return new ort.Tensor('float32', data, shape);
}

function statusKiB(key) {
  const m = fs.readFileSync('/proc/self/status', 'utf8')
      .match(new RegExp('^' + key + ':\\s+(\\d+) kB', 'm'));
  return m ? Number(m[1]) : -1;
}

async function main() {
  const [dir, repsArg, threadsArg] = process.argv.slice(2);
  const reps = Number(repsArg || 5);
  const session = await ort.InferenceSession.create(
      path.join(dir, 'attention.onnx'),
      {graphOptimizationLevel: 'all', intraOpNumThreads: Number(threadsArg || 1),
       interOpNumThreads: 1, executionProviders: ['cpu']});
  const feeds = {q: loadNpy(path.join(dir, 'q.npy')),
                 k: loadNpy(path.join(dir, 'k.npy')),
                 v: loadNpy(path.join(dir, 'v.npy'))};
  // Peak from here on (arena growth included) above the resident set with
  // the session and inputs loaded, as tfc-run --bench measures it.
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

main().catch((e) => { console.error(e); process.exit(1); });
