/* LD_PRELOAD shim for parallel-oom.test: aligned_alloc fails for blocks of
 * 64 KiB or more asked for inside an OpenMP parallel region (the model's
 * per-tile buffers there), as it would when memory runs out. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

/* libomp, where loaded (globally by tfc-run's JIT, locally as a
 * dependency of a library that tfc-run opens). */
static int in_parallel_region(void) {
  void *omp = dlopen("libomp.so.5", RTLD_LAZY | RTLD_NOLOAD);
  int (*level)(void) = omp ? (int (*)(void))dlsym(omp, "omp_get_level") : 0;
  int inside = level && level() > 0;
  if (omp)
    dlclose(omp);
  return inside;
}

void *aligned_alloc(size_t alignment, size_t size) {
  static void *(*real)(size_t, size_t);
  if (!real)
    real = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
  if (size >= 65536 && in_parallel_region())
    return NULL;
  return real(alignment, size);
}
