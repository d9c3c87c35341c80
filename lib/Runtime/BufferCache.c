/*===- BufferCache.c - memory of the compiled code's buffers -------------===*\
|*                                                                            *|
|* Compiled models allocate their temporaries and outputs through MLIR's     *|
|* generic allocation functions (finalize-memref-to-llvm with               *|
|* use-generic-functions), defined here. Large blocks a run frees are kept  *|
|* and handed back, size for size, to the next run: every run of a model    *|
|* asks for the same sizes, so steady-state runs neither map nor fault in   *|
|* fresh memory (with plain malloc/free, glibc returns such blocks to the   *|
|* kernel and BERT-base spent about half its time zeroing pages).           *|
|*                                                                            *|
|* Each block has a header just below the pointer handed out: the pointer   *|
|* to free and the block's size class. Thread-safe (OpenMP bodies may       *|
|* allocate).                                                                *|
\*===----------------------------------------------------------------------===*/
#include "tfc-c/ModelABI.h"

#include <pthread.h>
#include <stdlib.h>

enum {
  MIN_CACHED = 64 * 1024, /* smaller blocks go back to malloc at once */
  MAX_CACHED_BLOCKS = 4096,
};
/* At most this many bytes stay cached. */
static const uint64_t max_cached_bytes = (uint64_t)4 << 30;

typedef struct header {
  void *raw;       /* what aligned_alloc returned */
  uint64_t bytes;  /* size of the raw block */
  uint64_t offset; /* from raw to the pointer handed out */
  uint64_t pad;
} header;

typedef struct cached {
  void *raw;
  uint64_t bytes, offset;
} cached;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cached blocks[MAX_CACHED_BLOCKS];
static int num_blocks;
static uint64_t cached_bytes;

static uint64_t round_up(uint64_t x, uint64_t to) { return (x + to - 1) / to * to; }

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment < 64)
    alignment = 64;
  if (alignment & (alignment - 1))
    return NULL;
  uint64_t offset = round_up(sizeof(header), alignment);
  if (size > UINT64_MAX / 2)
    return NULL;
  uint64_t bytes = round_up(size + offset, size + offset >= MIN_CACHED ? 4096 : alignment);
  void *raw = NULL;
  if (bytes >= MIN_CACHED) {
    pthread_mutex_lock(&lock);
    for (int i = num_blocks; i-- > 0;) {
      if (blocks[i].bytes == bytes && blocks[i].offset == offset) {
        raw = blocks[i].raw;
        cached_bytes -= bytes;
        blocks[i] = blocks[--num_blocks];
        break;
      }
    }
    pthread_mutex_unlock(&lock);
  }
  if (!raw)
    raw = aligned_alloc(alignment, bytes);
  if (!raw)
    return NULL;
  char *p = (char *)raw + offset;
  header *h = (header *)p - 1;
  h->raw = raw;
  h->bytes = bytes;
  h->offset = offset;
  return p;
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(64, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  header *h = (header *)ptr - 1;
  void *raw = h->raw;
  uint64_t bytes = h->bytes, offset = h->offset;
  if (bytes >= MIN_CACHED) {
    pthread_mutex_lock(&lock);
    int keep = num_blocks < MAX_CACHED_BLOCKS &&
               cached_bytes + bytes <= max_cached_bytes;
    if (keep) {
      blocks[num_blocks].raw = raw;
      blocks[num_blocks].bytes = bytes;
      blocks[num_blocks].offset = offset;
      ++num_blocks;
      cached_bytes += bytes;
    }
    pthread_mutex_unlock(&lock);
    if (keep)
      return;
  }
  free(raw);
}

void tfc_buffer_cache_release(void) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < num_blocks; ++i)
    free(blocks[i].raw);
  num_blocks = 0;
  cached_bytes = 0;
  pthread_mutex_unlock(&lock);
}
