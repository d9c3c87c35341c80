/*===- tfc-c/ModelABI.h - what compiled code hands the model runtime -----===*\
|*                                                                            *|
|* Not for users (see tfc-c/Model.h). tfc-compile generates one              *|
|* tfc_model_info per shared library; tfc-run's JIT builds one in memory.    *|
|* Both run through the same runtime (lib/Runtime/ModelRuntime.c).           *|
|*                                                                            *|
|* Calling convention of `invoke` (MLIR's packed C interface of `@main`):    *|
|* args[k] points to the k-th argument of _mlir_ciface_main: first a pointer *|
|* to the result descriptors (one strided memref descriptor per output,      *|
|* when there are outputs), then one descriptor pointer per input, then one  *|
|* per weight. A descriptor of rank r is 3 + 2r words: allocated pointer,    *|
|* aligned pointer, offset, sizes[r], strides[r]. A model with run-time      *|
|* checks (num_checks > 0) takes one more argument right after the inputs:  *|
|* the descriptor of an int64_t[2] status, zeroed before the run; a failed  *|
|* check stores its number (1..num_checks) and the offending value there,   *|
|* and the run's result is then the error checks[number - 1].               *|
\*===----------------------------------------------------------------------===*/
#ifndef TFC_C_MODELABI_H
#define TFC_C_MODELABI_H

#include "tfc-c/Model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tfc_tensor_info {
  const char *name;
  int dtype; /* a tfc_dtype */
  int rank;
  const int64_t *shape;         /* -1 = dynamic */
  const char *const *dim_names; /* per size, "" = none; NULL = all none */
} tfc_tensor_info;

typedef struct tfc_weight_info {
  const void *data;
  uint64_t bytes;
  int rank;
  const int64_t *shape;
} tfc_weight_info;

typedef struct tfc_model_info {
  int num_inputs, num_outputs, num_weights;
  const tfc_tensor_info *inputs;
  const tfc_tensor_info *outputs;
  const tfc_weight_info *weights;
  void (*invoke)(void **args);
  int threads; /* worker threads the code was compiled for (1: none) */
  int num_checks;            /* run-time checks (see above) */
  const char *const *checks; /* their messages */
  /* The CPU the code was compiled for and those of its features that the
   * running CPU must have: cpu_has(i) tells whether it has features[i]
   * (__builtin_cpu_supports). cpu_has NULL: none to check (the JIT). */
  const char *cpu;
  int num_cpu_features;
  const char *const *cpu_features;
  int (*cpu_has)(int index);
} tfc_model_info;

/* The buffer cache (lib/Runtime/BufferCache.c): the compiled code's
 * allocation functions, and a call that frees the cached blocks (done when
 * the last model instance is destroyed). */
void *_mlir_memref_to_llvm_alloc(uint64_t size);
void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size);
void _mlir_memref_to_llvm_free(void *ptr);
void tfc_buffer_cache_release(void);

/* The blocks one run allocated and has not freed (BufferCache.c). */
typedef struct tfc_run_buffers {
  void *first;
} tfc_run_buffers;
/* From now on the blocks this thread allocates are recorded in `run`
 * (emptied first; NULL: none are). Returns what was recorded into before. */
tfc_run_buffers *tfc_buffers_track(tfc_run_buffers *run);
/* Frees every block still recorded in `run` (a failed run's buffers). */
void tfc_buffers_free_recorded(tfc_run_buffers *run);
/* Stops recording the blocks still in `run` (a run's outputs); they stay
 * allocated. */
void tfc_buffers_forget(tfc_run_buffers *run);

/* Called by compiled code when a cf.assert fails (a relation between
 * dynamic sizes, see tfc-cpu-asserts-to-runtime), and by the buffer cache
 * when an allocation fails: returns to the
 * tfc_model_run in progress on this thread, which fails with `message`;
 * outside a run, on an OpenMP worker or inside a parallel region of the
 * model's code (which cannot be left part way) it prints it and aborts. */
void tfc_assert_failed(const char *message);

/* Weights in huge pages (lib/Runtime/WeightPages.c): per weight of `info`,
 * a copy shared by the instances of that model (by default for a library's
 * weights of 8 MiB or more), or NULL where the weights stay in place (the
 * JIT's, small models, TFC_WEIGHT_PAGES=inplace, no mapping); release when
 * an instance goes. */
const void *const *tfc_weights_acquire(const tfc_model_info *info);
void tfc_weights_release(const tfc_model_info *info);

/* A model instance over `info` (which must outlive it). */
tfc_model *tfc_model_create_from_info(const tfc_model_info *info);

#ifdef __cplusplus
}
#endif

#endif /* TFC_C_MODELABI_H */
