/* weight-pages.test: the anonymous mapping that holds a library's weights
 * in huge pages (WeightPages.c). Prints, after each step, how many
 * anonymous mappings of at least MIN_MIB MiB the process has: the first
 * instance of a model with 8 MiB of weights or more makes one, a second
 * instance shares it, and the last one destroyed unmaps it. Each instance
 * runs the model once on x.bin; its output goes to OUT_k.bin, so that the
 * values can be compared across TFC_WEIGHT_PAGES settings. Also prints
 * whether the library's own mappings (model.so in /proc/self/smaps) hold
 * MIN_MIB MiB or more resident: the weights in place do, and a copied
 * model's library pages of weights are dropped once copied.
 *   weight_pages X.bin OUT_PREFIX MIN_MIB */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int big_anonymous_mappings(unsigned long min_bytes) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  int n = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi, inode;
    char path[256] = "";
    if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %255s", &lo, &hi, &inode, path) <
        3)
      continue;
    if (inode == 0 && path[0] == '\0' && hi - lo >= min_bytes)
      ++n;
  }
  if (f)
    fclose(f);
  return n;
}

static int library_resident(unsigned long min_bytes) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[512];
  int in_library = 0;
  unsigned long kib = 0, total = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char path[256] = "";
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %255s", &lo, &hi, path) >= 2) {
      size_t n = strlen(path);
      in_library = n >= 8 && !strcmp(path + n - 8, "model.so");
    } else if (in_library && sscanf(line, "Rss: %lu kB", &kib) == 1) {
      total += kib;
    }
  }
  if (f)
    fclose(f);
  return total * 1024 >= min_bytes;
}

static int run(tfc_model *m, const float *x, const char *prefix, int k) {
  const int64_t *want = tfc_model_input_shape(m, 0);
  int64_t shape[2] = {want[0], want[1]};
  const void *out;
  const int64_t *oshape;
  int rank;
  if (tfc_model_set_input(m, 0, TFC_F32, x, shape, 2) || tfc_model_run(m) ||
      tfc_model_output(m, 0, &out, &oshape, &rank))
    return fprintf(stderr, "run: %s\n", tfc_model_error(m)), 1;
  char path[512];
  snprintf(path, sizeof path, "%s_%d.bin", prefix, k);
  FILE *f = fopen(path, "wb");
  size_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= (size_t)oshape[d];
  int bad = !f || fwrite(out, sizeof(float), count, f) != count;
  if (f)
    fclose(f);
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 4)
    return fprintf(stderr, "usage: weight_pages X.bin OUT_PREFIX MIN_MIB\n"), 2;
  unsigned long min_bytes = strtoul(argv[3], NULL, 10) << 20;
  float x[4 * 1024];
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(x, sizeof x, 1, f) != 1)
    return fprintf(stderr, "cannot read %s\n", argv[1]), 2;
  fclose(f);
  printf("before: %d\n", big_anonymous_mappings(min_bytes));
  tfc_model *a = tfc_model_create();
  if (!a || run(a, x, argv[2], 1))
    return 1;
  printf("one instance: %d\n", big_anonymous_mappings(min_bytes));
  printf("library resident: %d\n", library_resident(min_bytes));
  tfc_model *b = tfc_model_create();
  if (!b || run(b, x, argv[2], 2))
    return 1;
  printf("two instances: %d\n", big_anonymous_mappings(min_bytes));
  tfc_model_destroy(a);
  printf("one destroyed: %d\n", big_anonymous_mappings(min_bytes));
  tfc_model_destroy(b);
  printf("both destroyed: %d\n", big_anonymous_mappings(min_bytes));
  return 0;
}
