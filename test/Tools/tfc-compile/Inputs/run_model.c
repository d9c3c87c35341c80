/* Example user of a library written by tfc-compile: prints the model's
 * inputs and outputs, shows the runtime's input checks, runs the model on
 * raw float32 files and writes each output as DIR/<name>.bin.
 *
 *   run_model X.bin R.bin BATCH DIR      (links model.so) */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

static float *read_floats(const char *path, size_t n) {
  float *p = malloc(n * sizeof *p);
  FILE *f = fopen(path, "rb");
  if (!p || !f || fread(p, sizeof *p, n, f) != n) {
    fprintf(stderr, "cannot read %zu floats from %s\n", n, path);
    exit(2);
  }
  fclose(f);
  return p;
}

static void print_tensor(const char *kind, int i, const char *name, int dtype,
                         int rank, const int64_t *shape) {
  printf("%s %d: %s %s[", kind, i, name, tfc_dtype_name(dtype));
  for (int d = 0; d < rank; ++d)
    shape[d] < 0 ? printf("%s?", d ? ", " : "")
                 : printf("%s%lld", d ? ", " : "", (long long)shape[d]);
  printf("]\n");
}

int main(int argc, char **argv) {
  if (argc != 5)
    return 2;
  int64_t batch = atoll(argv[3]);
  int64_t shape[3] = {batch, 8, 32}, other[3] = {batch + 1, 8, 32};
  size_t n = (size_t)(batch * 8 * 32);
  float *x = read_floats(argv[1], n), *r = read_floats(argv[2], n);

  tfc_model *m = tfc_model_create();
  for (int i = 0; i < tfc_model_num_inputs(m); ++i)
    print_tensor("input", i, tfc_model_input_name(m, i),
                 tfc_model_input_dtype(m, i), tfc_model_input_rank(m, i),
                 tfc_model_input_shape(m, i));
  for (int i = 0; i < tfc_model_num_outputs(m); ++i)
    print_tensor("output", i, tfc_model_output_name(m, i),
                 tfc_model_output_dtype(m, i), tfc_model_output_rank(m, i),
                 tfc_model_output_shape(m, i));
  printf("threads: %d\n", tfc_model_threads(m));

  /* Each mistake is refused with a message; nothing runs. */
  if (tfc_model_run(m))
    printf("run before inputs: %s\n", tfc_model_error(m));
  if (tfc_model_set_input(m, 0, TFC_I64, x, shape, 3))
    printf("wrong dtype: %s\n", tfc_model_error(m));
  if (tfc_model_set_input(m, 0, TFC_F32, x, shape, 2))
    printf("wrong rank: %s\n", tfc_model_error(m));
  if (tfc_model_set_input(m, 2, TFC_F32, x, shape, 3))
    printf("no such input: %s\n", tfc_model_error(m));
  if (tfc_model_output(m, 0, NULL, NULL, NULL))
    printf("output before a run: %s\n", tfc_model_error(m));
  if (tfc_model_set_input(m, 0, TFC_F32, x, shape, 3) ||
      tfc_model_set_input(m, 1, TFC_F32, r, other, 3))
    return 1;
  if (tfc_model_run(m))
    printf("batch mismatch: %s\n", tfc_model_error(m));

  if (tfc_model_set_input(m, 1, TFC_F32, r, shape, 3) || tfc_model_run(m)) {
    printf("error: %s\n", tfc_model_error(m));
    return 1;
  }
  for (int i = 0; i < tfc_model_num_outputs(m); ++i) {
    const void *data;
    const int64_t *s;
    int rank;
    if (tfc_model_output(m, i, &data, &s, &rank))
      return 1;
    int64_t count = 1;
    for (int d = 0; d < rank; ++d)
      count *= s[d];
    print_tensor("result", i, tfc_model_output_name(m, i),
                 tfc_model_output_dtype(m, i), rank, s);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bin", argv[4], tfc_model_output_name(m, i));
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, tfc_dtype_size(tfc_model_output_dtype(m, i)),
                     (size_t)count, f) != (size_t)count)
      return 1;
    fclose(f);
  }
  tfc_model_destroy(m);
  free(x);
  free(r);
  return 0;
}
