// Measures the fp32 FMA peak of one core: 12 independent vector FMA chains
// (AVX-512 when compiled with it, else AVX2+FMA), the best of 15 trials of
// ~40 ms (about half a second: the machine's slow phases last seconds, and
// 3 trials of one of them once put the peak below the GEMM line's rate).
// Prints GFLOP/s. Build: clang-22 -O2 -march=native fp32_peak.c
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#else
#error "needs AVX2 with FMA"
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  enum { CHAINS = 12 };
  const long iters = 20000000;
  vec acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = SET1(0.001f * i);
  vec a = SET1(0.9999999f), b = SET1(1e-7f);
  double best = 0;
  for (int trial = 0; trial < 15; ++trial) {
    double t0 = now();
    for (long it = 0; it < iters; ++it)
      for (int i = 0; i < CHAINS; ++i)
        acc[i] = FMA(acc[i], a, b);
    double dt = now() - t0;
    double gflops = 2.0 * LANES * CHAINS * iters / dt / 1e9;
    if (gflops > best)
      best = gflops;
  }
  vec sum = acc[0];
  for (int i = 1; i < CHAINS; ++i)
    sum = ADD(sum, acc[i]);
  float out[LANES];
  STORE(out, sum);
  printf("%.1f GFLOP/s (checksum %g)\n", best, out[0]);
  return 0;
}
