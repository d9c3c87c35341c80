// RUN: tfc-opt %s -tfc-cpu-asserts-to-runtime | FileCheck %s

// A cf.assert becomes a branch: on success the code goes on, on failure it
// calls the runtime's tfc_assert_failed with the message (prefixed with the
// ONNX node's name from the location) and ends in unreachable.
// CHECK: llvm.mlir.global private constant @tfc_assert_msg_0("node 'add0': sizes differ\00")
// CHECK: llvm.func @tfc_assert_failed(!llvm.ptr)
// CHECK-LABEL: func.func @check
// CHECK: %[[OK:.*]] = arith.cmpi eq
// CHECK: cf.cond_br %[[OK]], ^[[REST:.*]], ^[[FAIL:.*]]
// CHECK: ^[[FAIL]]:
// CHECK: %[[MSG:.*]] = llvm.mlir.addressof @tfc_assert_msg_0
// CHECK: llvm.call @tfc_assert_failed(%{{.*}})
// CHECK: llvm.unreachable
// CHECK: ^[[REST]]:
// CHECK: return %arg0
// CHECK-NOT: cf.assert
func.func @check(%a: index, %b: index) -> index {
  %ok = arith.cmpi eq, %a, %b : index
  cf.assert %ok, "sizes differ" loc("add0")
  return %a : index
}
