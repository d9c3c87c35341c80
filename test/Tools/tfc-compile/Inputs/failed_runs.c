/* Runs a library written by tfc-compile many times on inputs whose sizes
 * fail a run-time check, then once on sizes that agree, and prints how much
 * the resident set grew over the failed runs: what a failed run allocated
 * must go back to the runtime, not leak.
 *
 *   failed_runs N M RUNS      (links model.so: inputs [N, k0] and [M, k1]) */
#include "model.h"
#include "resident_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Binds input i as [rows, its static last size], filled with 0.5. */
static float *bind(tfc_model *m, int i, int64_t rows) {
  const int64_t *decl = tfc_model_input_shape(m, i);
  int64_t shape[2] = {rows, decl[1]};
  float *data = malloc((size_t)(rows * decl[1]) * sizeof *data);
  for (int64_t e = 0; data && e < rows * decl[1]; ++e)
    data[e] = 0.5f;
  if (!data || tfc_model_set_input(m, i, TFC_F32, data, shape, 2)) {
    fprintf(stderr, "cannot bind input %d: %s\n", i, tfc_model_error(m));
    exit(2);
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return fprintf(stderr, "usage: failed_runs N M RUNS\n"), 2;
  int64_t n = atoll(argv[1]), mm = atoll(argv[2]);
  int runs = atoi(argv[3]);
  tfc_model *m = tfc_model_create();
  if (!m || tfc_model_num_inputs(m) != 2)
    return fprintf(stderr, "needs a model with two inputs\n"), 2;
  float *x = bind(m, 0, n), *y = bind(m, 1, mm);
  long before = 0;
  for (int r = 0; r < runs; ++r) {
    if (!tfc_model_run(m))
      return fprintf(stderr, "run %d did not fail\n", r), 1;
    if (r == 0) {
      printf("failed: %s\n", tfc_model_error(m));
      before = resident_kib(); /* after the first run's own allocations */
    }
  }
  long grown = resident_kib() - before;
  printf("resident set grew by %ld MiB over %d failed runs\n", grown / 1024,
         runs - 1);
  free(y);
  y = bind(m, 1, n);
  if (tfc_model_run(m))
    return fprintf(stderr, "agreeing sizes failed: %s\n", tfc_model_error(m)),
           1;
  const void *out;
  const int64_t *shape;
  int rank;
  if (tfc_model_output(m, 0, &out, &shape, &rank))
    return 1;
  printf("agreeing sizes ran: output [%lld, %lld]\n", (long long)shape[0],
         (long long)shape[1]);
  tfc_model_destroy(m);
  free(x), free(y);
  return 0;
}
