//===- ForallToOpenMP.cpp - the tfc-cpu-forall-to-openmp pass -------------===//
//
// Each top-level scf.forall of bufferized code becomes an omp.parallel
// region whose threads share the iterations by work stealing: thread t
// owns the t-th contiguous range and takes its iterations in order from an
// atomic counter; when its range is done it takes the remaining iterations
// of the other ranges from their counters.
//
// Written here instead of upstream's scf.parallel -> omp.wsloop because
// the two schedules libomp offers are both worse for these kernels on a
// shared host. A static split makes every region wait for the slower
// thread: BERT-base at 2 threads spent 3-7.5 % of its time in libomp
// waiting. libomp's dynamic (nonmonotonic, work-stealing) schedule costs
// about 0.3 us per chunk in __kmpc_dispatch_next (a 96-panel GEMM region:
// 30 us of 345 us in a C microbenchmark). Here an iteration costs one
// uncontended atomic add on the thread's own cache line.
//
//===----------------------------------------------------------------------===//
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_FORALLTOOPENMPPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

constexpr StringLiteral kThreadNum = "omp_get_thread_num";
/// i64 counters per thread: one per 128 bytes, so that no two threads'
/// counters share a cache line or an adjacent-line prefetch pair.
constexpr int64_t kCounterStride = 16;

/// Whether `loop` can run on the stealing schedule: buffers only (no
/// shared outputs) and no stack allocations, whose space a loop of
/// iterations would grow (upstream's lowering scopes those).
bool convertible(scf::ForallOp loop) {
  if (loop.getNumResults() != 0 || !loop.getOutputs().empty())
    return false;
  bool alloca = false;
  loop.getBody()->walk([&](memref::AllocaOp) { alloca = true; });
  return !alloca;
}

struct ForallToOpenMPPass
    : tfc::impl::ForallToOpenMPPassBase<ForallToOpenMPPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads < 1) {
      getOperation().emitError("tfc-cpu-forall-to-openmp: threads must be "
                               "positive");
      return signalPassFailure();
    }
    SmallVector<scf::ForallOp> loops;
    getOperation().walk([&](scf::ForallOp loop) {
      if (!loop->getParentOfType<scf::ForallOp>() &&
          !loop->getParentOfType<omp::ParallelOp>() && convertible(loop))
        loops.push_back(loop);
    });
    if (loops.empty())
      return;
    func::FuncOp threadNum = declareThreadNum();
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp loop : loops)
      lower(rewriter, loop, threadNum);
  }

  func::FuncOp declareThreadNum() {
    ModuleOp module = getOperation();
    if (auto fn = module.lookupSymbol<func::FuncOp>(kThreadNum))
      return fn;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto fn = func::FuncOp::create(
        b, module.getLoc(), kThreadNum,
        b.getFunctionType({}, {b.getI32Type()}));
    fn.setPrivate();
    return fn;
  }

  void lower(IRRewriter &rewriter, scf::ForallOp loop,
             func::FuncOp threadNum) {
    Location loc = loop.getLoc();
    ImplicitLocOpBuilder b(loc, rewriter);
    b.setInsertionPoint(loop);
    auto idx = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    auto values = [&](ArrayRef<OpFoldResult> r) {
      SmallVector<Value> out;
      for (OpFoldResult v : r)
        out.push_back(getValueOrCreateConstantIndexOp(b, loc, v));
      return out;
    };
    SmallVector<Value> lbs = values(loop.getMixedLowerBound());
    SmallVector<Value> ubs = values(loop.getMixedUpperBound());
    SmallVector<Value> steps = values(loop.getMixedStep());

    // The iteration space, linearized: counts[d] iterations along d.
    SmallVector<Value> counts;
    Value total = idx(1);
    for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
      Value n = arith::CeilDivSIOp::create(
          b, arith::SubIOp::create(b, ub, lb), step);
      n = arith::MaxSIOp::create(b, n, idx(0));
      counts.push_back(n);
      total = arith::MulIOp::create(b, total, n);
    }

    // Counter t starts at the first iteration of range t (stored before
    // the region: the fork orders it before every thread's first add).
    auto i64 = b.getI64Type();
    auto counterType = MemRefType::get({threads, kCounterStride}, i64);
    Value counters;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(
          &loop->getParentOfType<FunctionOpInterface>()
               .getFunctionBody()
               .front());
      counters = memref::AllocaOp::create(
          b, counterType, b.getI64IntegerAttr(kCounterStride * 8));
    }
    Value nThreads = idx(threads);
    auto rangeStart = [&](ImplicitLocOpBuilder &lb, Value t) -> Value {
      return arith::DivUIOp::create(lb, arith::MulIOp::create(lb, t, total),
                                    nThreads);
    };
    for (int64_t t = 0; t < threads; ++t)
      memref::StoreOp::create(
          b, arith::IndexCastOp::create(b, i64, rangeStart(b, idx(t))),
          counters, ValueRange{idx(t), idx(0)});

    Value teamSize = arith::ConstantIntOp::create(b, b.getI32Type(), threads);
    auto parallel = omp::ParallelOp::create(b);
    parallel.getNumThreadsMutable().assign(teamSize);
    Block *region = &parallel.getRegion().emplaceBlock();
    b.setInsertionPointToStart(region);
    Value self = arith::IndexCastOp::create(
        b, b.getIndexType(),
        func::CallOp::create(b, threadNum, ValueRange{}).getResult(0));
    // Own range first, then the others' leftovers, in thread order.
    auto ranges = scf::ForOp::create(b, idx(0), nThreads, idx(1));
    b.setInsertionPointToStart(ranges.getBody());
    Value victim = arith::RemUIOp::create(
        b, arith::AddIOp::create(b, self, ranges.getInductionVar()),
        nThreads);
    Value end = arith::IndexCastOp::create(
        b, i64,
        rangeStart(b, arith::AddIOp::create(b, victim, idx(1))));
    auto take = scf::WhileOp::create(
        b, TypeRange{i64}, ValueRange{},
        [&](OpBuilder &nb, Location l, ValueRange) {
          ImplicitLocOpBuilder lb(l, nb);
          Value one = arith::ConstantIntOp::create(lb, i64, 1);
          Value i = memref::AtomicRMWOp::create(
              lb, arith::AtomicRMWKind::addi, one, counters,
              ValueRange{victim, arith::ConstantIndexOp::create(lb, 0)});
          Value more =
              arith::CmpIOp::create(lb, arith::CmpIPredicate::slt, i, end);
          scf::ConditionOp::create(lb, more, ValueRange{i});
        },
        [&](OpBuilder &nb, Location l, ValueRange args) {
          scf::YieldOp::create(nb, l);
        });
    // The iteration's induction variables, delinearized (last fastest).
    Block *after = take.getAfterBody();
    b.setInsertionPointToStart(after);
    Value linear =
        arith::IndexCastOp::create(b, b.getIndexType(), after->getArgument(0));
    ValueRange positions =
        affine::AffineDelinearizeIndexOp::create(b, linear, counts)
            .getResults();
    SmallVector<Value> ivs;
    for (auto [lb, pos, step] : llvm::zip(lbs, positions, steps))
      ivs.push_back(
          arith::AddIOp::create(b, lb, arith::MulIOp::create(b, pos, step)));
    b.setInsertionPointAfter(ranges);
    omp::TerminatorOp::create(b);

    // Move the body in; its scf.forall.in_parallel terminator is empty.
    Block *body = loop.getBody();
    Operation *terminator = body->getTerminator();
    rewriter.inlineBlockBefore(body, after->getTerminator(), ivs);
    rewriter.eraseOp(terminator);
    rewriter.eraseOp(loop);
  }
};

} // namespace
