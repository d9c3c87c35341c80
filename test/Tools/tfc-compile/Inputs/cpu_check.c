/* cpu-missing-features.test: a library compiled for a CPU whose features
 * this one lacks. tfc_model_create still gives an instance (its metadata
 * is readable) whose tfc_model_error says which features are missing, and
 * tfc_model_run fails with that message instead of stopping the process on
 * an illegal instruction.
 *   cpu_check X.bin R.bin      (links model.so; batch 3) */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  static float x[3 * 8 * 32], r[3 * 8 * 32];
  FILE *fx = fopen(argv[1], "rb"), *fr = fopen(argv[2], "rb");
  if (!fx || !fr || fread(x, sizeof x, 1, fx) != 1 ||
      fread(r, sizeof r, 1, fr) != 1)
    return fprintf(stderr, "cannot read the inputs\n"), 2;
  fclose(fx);
  fclose(fr);
  tfc_model *m = tfc_model_create();
  if (!m)
    return fprintf(stderr, "out of memory\n"), 2;
  printf("inputs: %d\n", tfc_model_num_inputs(m));
  printf("create: %s\n", tfc_model_error(m));
  int64_t shape[3] = {3, 8, 32};
  if (tfc_model_set_input(m, 0, TFC_F32, x, shape, 3) ||
      tfc_model_set_input(m, 1, TFC_F32, r, shape, 3))
    return fprintf(stderr, "set_input: %s\n", tfc_model_error(m)), 2;
  int rc = tfc_model_run(m);
  printf("run: %d: %s\n", rc, tfc_model_error(m));
  tfc_model_destroy(m);
  return 0;
}
