/*===- ModelRuntime.c - run a compiled model through its C interface -----===*\
|*                                                                            *|
|* The runtime behind tfc-c/Model.h, in C so that it links into every shared *|
|* library tfc-compile writes (no C++ runtime needed) and into tfc-run's     *|
|* JIT. It checks inputs against the declaration before any compiled code    *|
|* runs, builds memref descriptors, calls the entry point and copies results *|
|* (which may be strided views) into dense buffers.                          *|
\*===----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "tfc-c/ModelABI.h"

#include <dlfcn.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tfc_model {
  const tfc_model_info *info;
  const void *const *weights; /* per weight, its huge-page copy (NULL: the
                                 weights are used in place) */
  const void **in_data;    /* bound input data, per input */
  int64_t **in_shape;      /* bound sizes, per input */
  void **out_data;         /* dense outputs of the last run */
  void **out_alloc;        /* per output: the compiled code's buffer it lies
                              in (freed through the buffer cache), or NULL
                              when out_data is a copy (freed with free) */
  int64_t **out_shape;
  tfc_run_buffers run_buffers; /* what the run in progress allocated (kept
                                  here, not on the stack: a failed run
                                  longjmps back past its changes) */
  int have_outputs;
  char error[512];
  char cpu_error[512]; /* why this CPU cannot run the code ("" if it can) */
};

static const char *const dtype_names[] = {
    "float32", "float64", "float16", "bfloat16", "int8",   "int16", "int32",
    "int64",   "uint8",   "uint16",  "uint32",   "uint64", "bool"};
static const int dtype_sizes[] = {4, 8, 2, 2, 1, 2, 4, 8, 1, 2, 4, 8, 1};
enum { NUM_DTYPES = sizeof(dtype_sizes) / sizeof(dtype_sizes[0]) };

const char *tfc_dtype_name(int dtype) {
  return dtype >= 0 && dtype < NUM_DTYPES ? dtype_names[dtype] : NULL;
}
int tfc_dtype_size(int dtype) {
  return dtype >= 0 && dtype < NUM_DTYPES ? dtype_sizes[dtype] : 0;
}

static int fail(tfc_model *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->error, sizeof m->error, fmt, ap);
  va_end(ap);
  return 1;
}

/* "[2, ?, 3]" into buf. */
static const char *shape_str(char *buf, size_t n, const int64_t *s, int r) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (int i = 0; i < r && k < n; ++i)
    k += s[i] < 0 ? (size_t)snprintf(buf + k, n - k, "%s?", i ? ", " : "")
                  : (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "",
                                     (long long)s[i]);
  if (k < n)
    snprintf(buf + k, n - k, "]");
  return buf;
}

static void free_outputs(tfc_model *m) {
  for (int i = 0; i < m->info->num_outputs; ++i) {
    if (m->out_alloc[i])
      _mlir_memref_to_llvm_free(m->out_alloc[i]);
    else
      free(m->out_data[i]);
    free(m->out_shape[i]);
    m->out_alloc[i] = NULL;
    m->out_data[i] = NULL;
    m->out_shape[i] = NULL;
  }
  m->have_outputs = 0;
}

/* Whether the running CPU lacks features the code was compiled for (then
 * cpu_error says which): the code would stop on an illegal instruction. */
static int check_cpu(tfc_model *m) {
  const tfc_model_info *info = m->info;
  if (!info->cpu_has)
    return 0;
  char missing[256] = "";
  size_t k = 0;
  for (int i = 0; i < info->num_cpu_features; ++i)
    if (!info->cpu_has(i) && k < sizeof missing)
      k += (size_t)snprintf(missing + k, sizeof missing - k, "%s%s",
                            k ? ", " : "", info->cpu_features[i]);
  if (!k)
    return 0;
  snprintf(m->cpu_error, sizeof m->cpu_error,
           "this model was compiled for the CPU '%s', and the CPU it runs on "
           "lacks %s: compile it on this machine, or for a CPU that this one "
           "covers (tfc-compile --cpu, e.g. x86-64-v3 for AVX2)",
           info->cpu ? info->cpu : "?", missing);
  return 1;
}

/* Live instances; the last one destroyed empties the buffer cache. */
static int live_instances;

tfc_model *tfc_model_create_from_info(const tfc_model_info *info) {
  tfc_model *m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  __atomic_add_fetch(&live_instances, 1, __ATOMIC_SEQ_CST);
  m->info = info;
  if (check_cpu(m))
    snprintf(m->error, sizeof m->error, "%s", m->cpu_error);
  else
    m->weights = tfc_weights_acquire(info);
  int ni = info->num_inputs, no = info->num_outputs;
  m->in_data = calloc(ni ? ni : 1, sizeof *m->in_data);
  m->in_shape = calloc(ni ? ni : 1, sizeof *m->in_shape);
  m->out_data = calloc(no ? no : 1, sizeof *m->out_data);
  m->out_shape = calloc(no ? no : 1, sizeof *m->out_shape);
  m->out_alloc = calloc(no ? no : 1, sizeof *m->out_alloc);
  if (!m->in_data || !m->in_shape || !m->out_data || !m->out_shape ||
      !m->out_alloc) {
    tfc_model_destroy(m);
    return NULL;
  }
  return m;
}

void tfc_model_destroy(tfc_model *m) {
  if (!m)
    return;
  if (m->out_data && m->out_shape && m->out_alloc)
    free_outputs(m);
  if (m->in_shape)
    for (int i = 0; i < m->info->num_inputs; ++i)
      free(m->in_shape[i]);
  free(m->in_data);
  free(m->in_shape);
  free(m->out_data);
  free(m->out_shape);
  free(m->out_alloc);
  if (m->weights)
    tfc_weights_release(m->info);
  free(m);
  if (__atomic_sub_fetch(&live_instances, 1, __ATOMIC_SEQ_CST) == 0)
    tfc_buffer_cache_release();
}

const char *tfc_model_error(const tfc_model *m) { return m ? m->error : ""; }
int tfc_model_num_inputs(const tfc_model *m) { return m->info->num_inputs; }
int tfc_model_num_outputs(const tfc_model *m) { return m->info->num_outputs; }
int tfc_model_threads(const tfc_model *m) { return m->info->threads; }

static const void *weight_data(const tfc_model *m, int i) {
  return m->weights ? m->weights[i] : m->info->weights[i].data;
}

static const tfc_tensor_info *input_info(const tfc_model *m, int i) {
  return i >= 0 && i < m->info->num_inputs ? &m->info->inputs[i] : NULL;
}
static const tfc_tensor_info *output_info(const tfc_model *m, int i) {
  return i >= 0 && i < m->info->num_outputs ? &m->info->outputs[i] : NULL;
}
#define TENSOR_GETTERS(kind)                                                   \
  const char *tfc_model_##kind##_name(const tfc_model *m, int i) {             \
    const tfc_tensor_info *t = kind##_info(m, i);                              \
    return t ? t->name : NULL;                                                 \
  }                                                                            \
  int tfc_model_##kind##_dtype(const tfc_model *m, int i) {                    \
    const tfc_tensor_info *t = kind##_info(m, i);                              \
    return t ? t->dtype : -1;                                                  \
  }                                                                            \
  int tfc_model_##kind##_rank(const tfc_model *m, int i) {                     \
    const tfc_tensor_info *t = kind##_info(m, i);                              \
    return t ? t->rank : -1;                                                   \
  }                                                                            \
  const int64_t *tfc_model_##kind##_shape(const tfc_model *m, int i) {         \
    const tfc_tensor_info *t = kind##_info(m, i);                              \
    return t ? t->shape : NULL;                                                \
  }
TENSOR_GETTERS(input)
TENSOR_GETTERS(output)

int tfc_model_set_input(tfc_model *m, int index, tfc_dtype dtype,
                        const void *data, const int64_t *shape, int rank) {
  const tfc_tensor_info *s = input_info(m, index);
  if (!s)
    return fail(m, "the model has %d inputs, there is no input %d",
                m->info->num_inputs, index);
  /* bf16 data may come as its raw 16 bits. */
  int bf16_bits = s->dtype == TFC_BF16 && (int)dtype == TFC_U16;
  if ((int)dtype != s->dtype && !bf16_bits)
    return fail(m, "input '%s' has dtype %s, the model expects %s", s->name,
                tfc_dtype_name(dtype) ? tfc_dtype_name(dtype) : "(invalid)",
                tfc_dtype_name(s->dtype));
  int ok = rank == s->rank && (rank == 0 || shape);
  for (int d = 0; ok && d < rank; ++d)
    ok = shape[d] >= 0 && (s->shape[d] < 0 || s->shape[d] == shape[d]);
  if (!ok) {
    char got[256], want[256];
    return fail(m, "input '%s' has shape %s, the model expects %s", s->name,
                shape_str(got, sizeof got, shape, rank > 0 && shape ? rank : 0),
                shape_str(want, sizeof want, s->shape, s->rank));
  }
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= shape[d];
  if (!data && count > 0)
    return fail(m, "input '%s' has no data", s->name);
  int64_t *copy = malloc((rank ? rank : 1) * sizeof *copy);
  if (!copy)
    return fail(m, "out of memory");
  if (rank)
    memcpy(copy, shape, rank * sizeof *copy);
  free(m->in_shape[index]);
  m->in_shape[index] = copy;
  m->in_data[index] = data;
  return 0;
}

/* Name of size d of input i, "" when none. */
static const char *dim_name(const tfc_model_info *info, int i, int d) {
  const tfc_tensor_info *s = &info->inputs[i];
  return s->dim_names && s->dim_names[d] ? s->dim_names[d] : "";
}

/* Inputs that share a symbolic size must agree on it: the compiled code
 * assumes so. Each size is compared with the first one of its name. */
static int check_dim_names(tfc_model *m) {
  const tfc_model_info *info = m->info;
  for (int i = 0; i < info->num_inputs; ++i) {
    for (int d = 0; d < info->inputs[i].rank; ++d) {
      const char *n = dim_name(info, i, d);
      if (!*n)
        continue;
      int j = 0, e = 0, found = 0;
      for (; j <= i && !found; ++j)
        for (e = 0; e < (j < i ? info->inputs[j].rank : d) && !found; ++e)
          found = strcmp(dim_name(info, j, e), n) == 0;
      if (!found)
        continue;
      --j, --e; /* undo the loops' last step */
      if (m->in_shape[j][e] != m->in_shape[i][d])
        return fail(m,
                    "input '%s' has size %lld in dimension %d ('%s'), but "
                    "input '%s' has size %lld there (dimension %d)",
                    info->inputs[i].name, (long long)m->in_shape[i][d], d, n,
                    info->inputs[j].name, (long long)m->in_shape[j][e], e);
    }
  }
  return 0;
}

static int64_t *descriptor(int64_t *w, const void *data, const int64_t *shape,
                           int r) {
  memcpy(&w[0], &data, sizeof data);
  memcpy(&w[1], &data, sizeof data);
  w[2] = 0;
  int64_t stride = 1;
  for (int i = r; i-- > 0;) {
    w[3 + i] = shape[i];
    w[3 + r + i] = stride;
    stride *= shape[i];
  }
  return w;
}

/* Whether the result described by w (rank r) is dense and row-major. */
static int is_dense(const int64_t *w, int r) {
  if (w[2] != 0)
    return 0;
  int64_t stride = 1;
  for (int d = r; d-- > 0;) {
    if (w[3 + d] != 1 && w[3 + r + d] != stride)
      return 0;
    stride *= w[3 + d];
  }
  return 1;
}

/* Copies the strided result described by w (rank r) into a dense buffer. */
static void *dense_copy(const int64_t *w, int r, int es, int64_t count) {
  void *aligned;
  memcpy(&aligned, &w[1], sizeof aligned);
  char *out = malloc(count > 0 ? (size_t)(count * es) : 1);
  if (!out || count == 0)
    return out;
  const char *base = (const char *)aligned + w[2] * es;
  /* dims [inner, r) form one contiguous run */
  int64_t run = 1;
  int inner = r;
  while (inner > 0 && w[3 + r + inner - 1] == run) {
    run *= w[3 + inner - 1];
    --inner;
  }
  int64_t idx[64] = {0};
  for (int64_t e = 0; e < count; e += run) {
    int64_t lin = 0;
    for (int d = 0; d < inner; ++d)
      lin += idx[d] * w[3 + r + d];
    memcpy(out + e * es, base + lin * es, (size_t)(run * es));
    for (int d = inner; d-- > 0;) {
      if (++idx[d] < w[3 + d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

/* The run in progress on this thread, where a failed assert returns. */
static _Thread_local jmp_buf *assert_return;
static _Thread_local const char *assert_message;

/* The OpenMP nesting level of this thread: libomp's omp_get_level, 0
 * where libomp is not loaded. A library compiled for threads links libomp
 * (TFC_OPENMP); tfc-run's JIT loads it into the global scope. */
#ifdef TFC_OPENMP
int omp_get_level(void);
static int omp_level(void) { return omp_get_level(); }
#else
static int omp_level(void) {
  static int (*level)(void); /* once found, libomp stays loaded */
  if (!level)
    level = (int (*)(void))dlsym(RTLD_DEFAULT, "omp_get_level");
  return level ? level() : 0;
}
#endif

/* The level at which the run in progress on this thread started (the
 * caller may itself run in a parallel region); -1 for code compiled
 * without threads, which has no parallel region of its own (and whose
 * runs then need not ask libomp). */
static _Thread_local int assert_level;

void tfc_assert_failed(const char *message) {
  /* A parallel region cannot be left part way: longjmp out of it leaves
   * libomp's team inside it (the next region, or the next run, would run
   * in a broken team). Only an allocation inside a kernel's parallel loop
   * fails there (run-time checks and size asserts run outside them), so
   * this stops the process with the reason. */
  int parallel = assert_return ? assert_level >= 0 && omp_level() > assert_level
                               : omp_level() > 0;
  if (!assert_return || parallel) {
    /* One thread reports and aborts; the team's others wait for it. */
    static int reported;
    if (__atomic_exchange_n(&reported, 1, __ATOMIC_SEQ_CST))
      for (;;)
        pause();
    fprintf(stderr, "tfc: %s%s\n", message,
            parallel ? " (inside a parallel region of the model's "
                       "code, which cannot be left part way: the "
                       "process stops)"
                     : "");
    abort();
  }
  assert_message = message;
  longjmp(*assert_return, 1);
}

int tfc_model_run(tfc_model *m) {
  const tfc_model_info *info = m->info;
  if (m->cpu_error[0])
    return fail(m, "%s", m->cpu_error);
  for (int i = 0; i < info->num_inputs; ++i)
    if (!m->in_shape[i])
      return fail(m, "input '%s' is not set", info->inputs[i].name);
  if (check_dim_names(m))
    return 1;
  for (int i = 0; i < info->num_outputs; ++i)
    if (info->outputs[i].rank > 64)
      return fail(m, "output '%s' has rank above 64", info->outputs[i].name);
  free_outputs(m);
  /* Descriptor words: results, then inputs, then weights. */
  size_t words = 0;
  for (int i = 0; i < info->num_outputs; ++i)
    words += 3 + 2 * (size_t)info->outputs[i].rank;
  size_t result_words = words;
  for (int i = 0; i < info->num_inputs; ++i)
    words += 3 + 2 * (size_t)info->inputs[i].rank;
  if (info->num_checks > 0)
    words += 5;
  for (int i = 0; i < info->num_weights; ++i)
    words += 3 + 2 * (size_t)info->weights[i].rank;
  int nargs = info->num_inputs + (info->num_checks > 0) + info->num_weights + 1;
  int64_t *w = calloc(words ? words : 1, sizeof *w);
  void **desc = calloc((size_t)nargs, sizeof *desc);
  void **args = calloc((size_t)nargs, sizeof *args);
  if (!w || !desc || !args) {
    free(w), free(desc), free(args);
    return fail(m, "out of memory");
  }
  int k = 0;
  if (info->num_outputs > 0) {
    desc[k] = w;
    args[k] = &desc[k];
    ++k;
  }
  size_t off = result_words;
  for (int i = 0; i < info->num_inputs; ++i, ++k) {
    int r = info->inputs[i].rank;
    desc[k] = descriptor(w + off, m->in_data[i], m->in_shape[i], r);
    args[k] = &desc[k];
    off += 3 + 2 * (size_t)r;
  }
  /* The status of the run-time checks (ModelABI.h). */
  int64_t checked[2] = {0, 0};
  const int64_t checked_shape[1] = {2};
  if (info->num_checks > 0) {
    desc[k] = descriptor(w + off, checked, checked_shape, 1);
    args[k] = &desc[k];
    off += 5;
    ++k;
  }
  for (int i = 0; i < info->num_weights; ++i, ++k) {
    const tfc_weight_info *wt = &info->weights[i];
    desc[k] = descriptor(w + off, weight_data(m, i), wt->shape, wt->rank);
    args[k] = &desc[k];
    off += 3 + 2 * (size_t)wt->rank;
  }
  /* A failed size assert or allocation comes back here; the buffers the
   * run still held are freed. The outputs' buffers of a run that
   * completes stay allocated (see free_outputs). */
  tfc_run_buffers *outer_buffers = tfc_buffers_track(&m->run_buffers);
  jmp_buf back;
  jmp_buf *outer = assert_return;
  int outer_level = assert_level;
  if (setjmp(back)) {
    assert_return = outer;
    assert_level = outer_level;
    tfc_buffers_track(outer_buffers);
    tfc_buffers_free_recorded(&m->run_buffers);
    free(w), free(desc), free(args);
    return fail(m, "%s", assert_message);
  }
  assert_return = &back;
  assert_level = info->threads > 1 ? omp_level() : -1;
  info->invoke(args);
  assert_return = outer;
  assert_level = outer_level;
  tfc_buffers_track(outer_buffers);
  tfc_buffers_forget(&m->run_buffers);

  int status = 0;
  /* Released after every output is read: outputs may share a buffer. */
  void **freed = calloc(info->num_outputs ? info->num_outputs : 1, sizeof *freed);
  char *release = calloc(info->num_outputs ? info->num_outputs : 1, 1);
  if (!freed || !release) {
    free(freed), free(release), free(w), free(desc), free(args);
    return fail(m, "out of memory");
  }
  off = 0;
  for (int i = 0; i < info->num_outputs; ++i) {
    const tfc_tensor_info *s = &info->outputs[i];
    int r = s->rank, es = tfc_dtype_size(s->dtype);
    const int64_t *rw = w + off;
    off += 3 + 2 * (size_t)r;
    int64_t count = 1;
    for (int d = 0; d < r; ++d)
      count *= rw[3 + d];
    m->out_shape[i] = malloc((r ? r : 1) * sizeof(int64_t));
    if (m->out_shape[i] && r)
      memcpy(m->out_shape[i], rw + 3, r * sizeof(int64_t));
    /* Buffers the compiled code allocated (not inputs, weights or constant
     * globals, which the lowering marks with 0xdeadbeef) are the caller's:
     * a dense one becomes the output as it is (no copy; the buffer cache
     * takes it back at the next run), others are copied and freed. A
     * buffer returned twice is taken or freed once. */
    void *allocated, *aligned;
    memcpy(&allocated, &rw[0], sizeof allocated);
    memcpy(&aligned, &rw[1], sizeof aligned);
    int owned = allocated != NULL && allocated != (void *)(uintptr_t)0xdeadbeef;
    for (int j = 0; owned && j < info->num_inputs; ++j)
      owned = allocated != m->in_data[j];
    for (int j = 0; owned && j < info->num_weights; ++j)
      owned = allocated != weight_data(m, j);
    for (int j = 0; owned && j < i; ++j)
      owned = allocated != freed[j];
    if (owned && count > 0 && is_dense(rw, r)) {
      m->out_data[i] = aligned;
      m->out_alloc[i] = allocated;
      freed[i] = allocated;
    } else {
      m->out_data[i] = dense_copy(rw, r, es, count);
      if (owned)
        freed[i] = allocated, release[i] = 1;
    }
    if (!m->out_data[i] || !m->out_shape[i])
      status = fail(m, "out of memory");
  }
  for (int i = 0; i < info->num_outputs; ++i)
    if (release[i])
      _mlir_memref_to_llvm_free(freed[i]);
  free(release);
  free(freed);
  free(w);
  free(desc);
  free(args);
  if (!status && checked[0] != 0) {
    long long c = (long long)checked[0];
    status = c >= 1 && c <= info->num_checks
                 ? fail(m, "%s: got %lld", info->checks[c - 1],
                        (long long)checked[1])
                 : fail(m, "run-time check %lld failed", c);
  }
  if (status) {
    free_outputs(m);
    return status;
  }
  m->have_outputs = 1;
  m->error[0] = 0;
  return 0;
}

int tfc_model_output(tfc_model *m, int index, const void **data,
                     const int64_t **shape, int *rank) {
  const tfc_tensor_info *s = output_info(m, index);
  if (!s)
    return fail(m, "the model has %d outputs, there is no output %d",
                m->info->num_outputs, index);
  if (!m->have_outputs)
    return fail(m, "no outputs: the model has not run successfully");
  if (data)
    *data = m->out_data[index];
  if (shape)
    *shape = m->out_shape[index];
  if (rank)
    *rank = s->rank;
  return 0;
}
