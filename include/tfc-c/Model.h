/*===- tfc-c/Model.h - C API of a compiled tfc model ---------------------===*\
|*                                                                            *|
|* A model compiled by `tfc-compile MODEL --target=cpu -o model.so` is a      *|
|* shared library exporting these functions (and nothing else). The same      *|
|* runtime runs models that tfc-run compiles in process (JIT).                *|
|*                                                                            *|
|*   tfc_model *m = tfc_model_create();                                       *|
|*   tfc_model_set_input(m, 0, TFC_F32, data, shape, rank);  (each input)     *|
|*   if (tfc_model_run(m) != 0) puts(tfc_model_error(m));                     *|
|*   tfc_model_output(m, 0, &out, &out_shape, &out_rank);                     *|
|*   tfc_model_destroy(m);                                                    *|
|*                                                                            *|
|* Tensors are dense and row-major. A model object is not thread-safe; use    *|
|* one per thread (weights are shared and read-only; a large model's are      *|
|* copied into huge pages once per model, TFC_WEIGHT_PAGES=inplace keeps them *|
|* in the library, see the README). Functions returning int return 0 on       *|
|* success and non-zero on error, with the message in tfc_model_error.        *|
\*===----------------------------------------------------------------------===*/
#ifndef TFC_C_MODEL_H
#define TFC_C_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types (numpy names in comments). */
typedef enum tfc_dtype {
  TFC_F32,  /* float32 */
  TFC_F64,  /* float64 */
  TFC_F16,  /* float16 */
  TFC_BF16, /* bfloat16 (passed as its 16 bits) */
  TFC_I8,
  TFC_I16,
  TFC_I32,
  TFC_I64,
  TFC_U8,
  TFC_U16,
  TFC_U32,
  TFC_U64,
  TFC_BOOL /* one byte per element, 0 or 1 */
} tfc_dtype;

/* numpy name ("float32", "bool", ...) and bytes per element of a dtype;
 * NULL / 0 for a value outside tfc_dtype. */
const char *tfc_dtype_name(int dtype);
int tfc_dtype_size(int dtype);

typedef struct tfc_model tfc_model;

/* A new instance of the model; NULL only when out of memory. When the CPU
 * lacks features the model was compiled for (tfc-compile --cpu, by default
 * the compiling machine's), tfc_model_error says which, right away, and
 * every tfc_model_run fails with that message. */
tfc_model *tfc_model_create(void);
/* Frees the instance and its outputs. NULL is allowed. */
void tfc_model_destroy(tfc_model *model);
/* The message of the last failed call ("" when none). */
const char *tfc_model_error(const tfc_model *model);

/* Declared inputs and outputs: name, dtype, rank and sizes (-1 for a
 * dynamic size; the output sizes of a run come from tfc_model_output).
 * An index out of range gives NULL / -1. */
int tfc_model_num_inputs(const tfc_model *model);
int tfc_model_num_outputs(const tfc_model *model);
const char *tfc_model_input_name(const tfc_model *model, int index);
int tfc_model_input_dtype(const tfc_model *model, int index);
int tfc_model_input_rank(const tfc_model *model, int index);
const int64_t *tfc_model_input_shape(const tfc_model *model, int index);
const char *tfc_model_output_name(const tfc_model *model, int index);
int tfc_model_output_dtype(const tfc_model *model, int index);
int tfc_model_output_rank(const tfc_model *model, int index);
const int64_t *tfc_model_output_shape(const tfc_model *model, int index);
/* The worker threads a run uses: fixed when the model is compiled
 * (tfc-compile --threads T), 1 for a model compiled without threads. */
int tfc_model_threads(const tfc_model *model);

/* Binds input `index` to `data` (borrowed: it must stay valid and unchanged
 * until tfc_model_run returns). The dtype, rank and sizes are checked here
 * against the declaration; sizes that share a symbolic name (ONNX
 * dim_param) are checked against each other by tfc_model_run. */
int tfc_model_set_input(tfc_model *model, int index, tfc_dtype dtype,
                        const void *data, const int64_t *shape, int rank);
/* Runs the model on the bound inputs (all must be bound). Values that are
 * only known during the run are checked too: a Gather index outside its
 * axis (say a token id at or above the vocabulary size), an integer
 * division by zero or sizes that do not broadcast makes the run fail, with
 * a message naming the node (and the axis size and the index); nothing out
 * of bounds is read, nothing traps, and no outputs are kept. A buffer the
 * code cannot allocate fails the run with "out of memory". A failed run
 * frees what it allocated. */
int tfc_model_run(tfc_model *model);
/* Output `index` of the last successful run: dense row-major data owned by
 * the model, valid until the next tfc_model_run or tfc_model_destroy. */
int tfc_model_output(tfc_model *model, int index, const void **data,
                     const int64_t **shape, int *rank);

#ifdef __cplusplus
}
#endif

#endif /* TFC_C_MODEL_H */
