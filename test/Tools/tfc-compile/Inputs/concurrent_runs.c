/* Runs one library written by tfc-compile from several threads at once, an
 * instance per thread (Model.h: instances are per thread, the weights and
 * the buffer cache shared). Half the threads also make every other run
 * fail a run-time size check. Every completed run must give the output of
 * a run made alone first, bit for bit; every failing run must fail with the
 * check's message; and once the first rounds have filled the buffer cache
 * and malloc's arenas, later rounds must not grow the resident set (a
 * failed run frees its own buffers, not another thread's).
 *
 *   concurrent_runs N THREADS RUNS ROUNDS   (links model.so: inputs
 *                          [N, k0] and [N, k1]; [N - 1, k1] fails) */
#define _POSIX_C_SOURCE 200809L
#include "model.h"
#include "resident_set.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t n;
static int runs;
static const float *expected;
static size_t expected_bytes;
static pthread_barrier_t start;

/* Input i as [rows, its last size], with values that depend on the index. */
static float *make_input(tfc_model *m, int i, int64_t rows) {
  int64_t cols = tfc_model_input_shape(m, i)[1];
  float *data = malloc((size_t)(rows * cols) * sizeof *data);
  for (int64_t e = 0; data && e < rows * cols; ++e)
    data[e] = (float)((e * 7 + i) % 23) / 8.0f - 1.0f;
  return data;
}

static int bind(tfc_model *m, int i, const float *data, int64_t rows) {
  int64_t shape[2] = {rows, tfc_model_input_shape(m, i)[1]};
  return tfc_model_set_input(m, i, TFC_F32, data, shape, 2);
}

typedef struct {
  int id;
  int good, failed, errors;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  pthread_barrier_wait(&start); /* create the instances at once, too */
  tfc_model *m = tfc_model_create();
  if (!m) {
    ++w->errors;
    return NULL;
  }
  float *x = make_input(m, 0, n), *y = make_input(m, 1, n);
  float *short_y = make_input(m, 1, n - 1);
  for (int r = 0; r < runs; ++r) {
    int fail = (w->id % 2) && (r % 2);
    if (bind(m, 0, x, n) || bind(m, 1, fail ? short_y : y, fail ? n - 1 : n)) {
      ++w->errors;
      continue;
    }
    int status = tfc_model_run(m);
    if (fail) {
      if (status && strstr(tfc_model_error(m), "do not broadcast"))
        ++w->failed;
      else
        ++w->errors;
      continue;
    }
    const void *out;
    const int64_t *shape;
    int rank;
    if (status || tfc_model_output(m, 0, &out, &shape, &rank) ||
        memcmp(out, expected, expected_bytes))
      ++w->errors;
    else
      ++w->good;
  }
  free(x), free(y), free(short_y);
  tfc_model_destroy(m);
  return NULL;
}

/* THREADS workers of RUNS runs each; returns the number of errors. */
static int round_of(int threads, int *good, int *failed) {
  worker *ws = calloc((size_t)threads, sizeof *ws);
  pthread_t *ts = calloc((size_t)threads, sizeof *ts);
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  for (int t = 0; t < threads; ++t) {
    ws[t].id = t;
    pthread_create(&ts[t], NULL, work, &ws[t]);
  }
  int errors = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(ts[t], NULL);
    *good += ws[t].good, *failed += ws[t].failed, errors += ws[t].errors;
  }
  pthread_barrier_destroy(&start);
  free(ws), free(ts);
  return errors;
}

int main(int argc, char **argv) {
  if (argc != 5)
    return fprintf(stderr, "usage: concurrent_runs N THREADS RUNS ROUNDS\n"), 2;
  n = atoll(argv[1]);
  int threads = atoi(argv[2]);
  runs = atoi(argv[3]);
  int rounds = atoi(argv[4]);
  /* The reference: one run alone. */
  tfc_model *m = tfc_model_create();
  float *x = make_input(m, 0, n), *y = make_input(m, 1, n);
  const void *out;
  const int64_t *shape;
  int rank;
  if (bind(m, 0, x, n) || bind(m, 1, y, n) || tfc_model_run(m) ||
      tfc_model_output(m, 0, &out, &shape, &rank))
    return fprintf(stderr, "reference run: %s\n", tfc_model_error(m)), 1;
  expected_bytes = sizeof(float);
  for (int d = 0; d < rank; ++d)
    expected_bytes *= (size_t)shape[d];
  float *copy = malloc(expected_bytes);
  memcpy(copy, out, expected_bytes);
  expected = copy;
  /* Kept alive: the buffer cache and weights stay between the rounds. */
  int good = 0, failed = 0, errors = 0;
  long before = 0;
  for (int r = 0; r < rounds; ++r) {
    errors += round_of(threads, &good, &failed);
    if (r == 1)
      before = resident_kib();
  }
  long grown = resident_kib() - before;
  printf("%d threads x %d runs x %d rounds: %d identical to the run alone, "
         "%d failed the size check, %d errors\n",
         threads, runs, rounds, good, failed, errors);
  printf("resident set grew by %ld MiB after the second round\n", grown / 1024);
  tfc_model_destroy(m);
  free(x), free(y), free(copy);
  return errors != 0;
}
