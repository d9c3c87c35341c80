/*===- WeightPages.c - a model's weights in transparent huge pages --------===*\
|*                                                                            *|
|* The GEMM kernels stream every weight from memory on every run, so the      *|
|* weights should lie in 2 MiB pages. A library's weights are its read-only   *|
|* data, mapped from the page cache, whose folios are huge or not depending   *|
|* on how the file was written and on the kernel: a library fresh from        *|
|* tfc-compile had 48 of its 346 MiB (ViT-B/16) in huge pages here, and ran   *|
|* 20-30 % slower in place than copied (1 thread, median of 10 runs in 3      *|
|* alternating rounds: BERT-base 128-151 against 118-127 ms, GPT-2 197-232    *|
|* against 171-184, ViT-B/16 248-265 against 188-195). So by default the      *|
|* weights of a model loaded from a library (dladdr finds them there) with    *|
|* at least MIN_BYTES are copied into one anonymous mapping advised           *|
|* MADV_HUGEPAGE, which the instances of that model share and the last one    *|
|* destroyed unmaps. The JIT's weights are anonymous memory already and stay  *|
|* in place. TFC_WEIGHT_PAGES=inplace never copies, =copy also copies the     *|
|* JIT's, =always copies small models too; other values mean the default.     *|
|* Where the mapping fails the weights stay in place.                         *|
|* Once copied, the library's pages that hold nothing but weights are        *|
|* dropped from the process (MADV_DONTNEED: read-only file pages, which a    *|
|* later read would fault back in from the file), so that the weights are    *|
|* resident once, not twice: BERT-base's resident set after creating the     *|
|* model went from 837 to 420 MiB, its peak from 857 to 431 MiB.             *|
\*===----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* MAP_ANONYMOUS, madvise and dladdr under -std=c11 */
#include "tfc-c/ModelABI.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { HUGE_PAGE = 2 << 20, ALIGN = 64, CHUNK = 4 << 20 };
static const uint64_t MIN_BYTES = 8 << 20;

typedef struct weight_copy {
  const tfc_model_info *info;
  int refs;
  char *base;          /* the mapping */
  size_t size;         /* its length */
  const void **data;   /* per weight, its copy */
  struct weight_copy *next;
} weight_copy;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static weight_copy *copies;

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

/* A 2 MiB-aligned anonymous mapping of `size` bytes (a multiple of 2 MiB):
 * map 2 MiB more, unmap the unaligned ends. */
static char *map_aligned(size_t size) {
  char *raw = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    return NULL;
  char *base = (char *)round_up((size_t)raw, HUGE_PAGE);
  if (base > raw)
    munmap(raw, (size_t)(base - raw));
  size_t tail = (size_t)(raw + size + HUGE_PAGE - (base + size));
  if (tail)
    munmap(base + size, tail);
  return base;
}

/* Whether `p` lies in a loaded library (its file-mapped data). */
static int in_library(const void *p) {
  Dl_info where;
  return p && dladdr(p, &where) != 0 && where.dli_fname;
}

/* Whether [p, p + n) lies in a read-only segment of a loaded object: pages
 * mapped from its file and never written. */
typedef struct {
  uintptr_t lo, hi;
  int found;
} segment_query;

static int find_read_only(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  segment_query *q = arg;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W) && q->lo >= start &&
        q->hi <= start + ph->p_filesz) {
      q->found = 1;
      return 1;
    }
  }
  return 0;
}

/* Drops the whole pages of a library's read-only [p, p + n) from the
 * process's resident set. */
static void release_library_pages(const void *p, size_t n) {
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return;
  uintptr_t lo = round_up((uintptr_t)p, (size_t)page);
  uintptr_t hi = ((uintptr_t)p + n) / (size_t)page * (size_t)page;
  segment_query q = {lo, hi, 0};
  if (hi <= lo || !dl_iterate_phdr(find_read_only, &q) || !q.found)
    return;
  madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

static weight_copy *make_copy(const tfc_model_info *info) {
  const char *mode = getenv("TFC_WEIGHT_PAGES");
  int always = mode && !strcmp(mode, "always");
  int copy = always || (mode && !strcmp(mode, "copy"));
  if (mode && !strcmp(mode, "inplace"))
    return NULL;
  if (!copy && !(info->num_weights > 0 && in_library(info->weights[0].data)))
    return NULL;
  uint64_t total = 0;
  for (int i = 0; i < info->num_weights; ++i) {
    if (info->weights[i].bytes > UINT64_MAX / 2 - total)
      return NULL;
    total = round_up(total, ALIGN) + info->weights[i].bytes;
  }
  if ((total < MIN_BYTES && !always) || total == 0 || total > SIZE_MAX / 2)
    return NULL;
  weight_copy *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->data = calloc((size_t)info->num_weights, sizeof *c->data);
  c->size = round_up((size_t)total, HUGE_PAGE);
  c->base = c->data ? map_aligned(c->size) : NULL;
  if (!c->base) {
    free(c->data);
    free(c);
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  madvise(c->base, c->size, MADV_HUGEPAGE);
#endif
  size_t off = 0;
  for (int i = 0; i < info->num_weights; ++i) {
    off = round_up(off, ALIGN);
    /* In chunks that end at CHUNK-aligned (so page-aligned) addresses of
     * the library, each released once copied: a large weight (BERT-base's
     * 94 MiB token table) is then not resident twice either. */
    const char *src = info->weights[i].data;
    uint64_t bytes = info->weights[i].bytes, n;
    for (uint64_t done = 0; done < bytes; done += n) {
      n = CHUNK - ((uintptr_t)(src + done) % CHUNK);
      if (n > bytes - done)
        n = bytes - done;
      memcpy(c->base + off + done, src + done, (size_t)n);
      release_library_pages(src + done, (size_t)n);
    }
    c->data[i] = c->base + off;
    off += info->weights[i].bytes;
  }
  mprotect(c->base, c->size, PROT_READ);
  c->info = info;
  return c;
}

const void *const *tfc_weights_acquire(const tfc_model_info *info) {
  pthread_mutex_lock(&lock);
  weight_copy *c = copies;
  while (c && c->info != info)
    c = c->next;
  if (!c && (c = make_copy(info))) {
    c->next = copies;
    copies = c;
  }
  if (c)
    ++c->refs;
  pthread_mutex_unlock(&lock);
  return c ? c->data : NULL;
}

void tfc_weights_release(const tfc_model_info *info) {
  pthread_mutex_lock(&lock);
  for (weight_copy **p = &copies; *p; p = &(*p)->next) {
    weight_copy *c = *p;
    if (c->info != info)
      continue;
    if (--c->refs == 0) {
      *p = c->next;
      munmap(c->base, c->size);
      free(c->data);
      free(c);
    }
    break;
  }
  pthread_mutex_unlock(&lock);
}
