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
|*                                                                            *|
|* A run also records the blocks its thread allocates (tfc_buffers_track):  *|
|* a run that fails part way (a failed assert longjmps out of the compiled  *|
|* code) frees what it still held, which would otherwise leak on every      *|
|* failed run. A failed allocation fails the run (tfc_assert_failed) rather *|
|* than handing the compiled code a null pointer.                           *|
\*===----------------------------------------------------------------------===*/
#include "tfc-c/ModelABI.h"

#include <pthread.h>
#include <stdio.h>
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
  /* The run that records the block (NULL: none), and its neighbours in
   * that run's list. */
  tfc_run_buffers *run;
  struct header *prev, *next;
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

/* The run in progress on this thread, whose blocks are recorded. */
static _Thread_local tfc_run_buffers *tracking;

tfc_run_buffers *tfc_buffers_track(tfc_run_buffers *run) {
  tfc_run_buffers *outer = tracking;
  if (run)
    run->first = NULL;
  tracking = run;
  return outer;
}

/* Under `lock`. */
static void unlink_block(header *h) {
  if (h->prev)
    h->prev->next = h->next;
  else
    h->run->first = h->next;
  if (h->next)
    h->next->prev = h->prev;
  h->run = NULL;
  h->prev = h->next = NULL;
}

void tfc_buffers_forget(tfc_run_buffers *run) {
  pthread_mutex_lock(&lock);
  while (run->first)
    unlink_block(run->first);
  pthread_mutex_unlock(&lock);
}

void tfc_buffers_free_recorded(tfc_run_buffers *run) {
  for (;;) {
    pthread_mutex_lock(&lock);
    header *h = run->first;
    pthread_mutex_unlock(&lock);
    if (!h)
      return;
    _mlir_memref_to_llvm_free(h + 1);
  }
}

/* Fails the run in progress (see tfc_assert_failed); does not return. */
static void out_of_memory(uint64_t size) {
  static _Thread_local char message[128];
  snprintf(message, sizeof message,
           "out of memory: the model's code could not allocate a buffer of "
           "%llu bytes",
           (unsigned long long)size);
  tfc_assert_failed(message);
}

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment < 64)
    alignment = 64;
  uint64_t offset = round_up(sizeof(header), alignment);
  if ((alignment & (alignment - 1)) || size > UINT64_MAX / 2)
    out_of_memory(size);
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
    out_of_memory(size);
  char *p = (char *)raw + offset;
  header *h = (header *)p - 1;
  h->raw = raw;
  h->bytes = bytes;
  h->offset = offset;
  h->run = tracking;
  h->prev = h->next = NULL;
  if (h->run) {
    pthread_mutex_lock(&lock);
    h->next = h->run->first;
    if (h->next)
      h->next->prev = h;
    h->run->first = h;
    pthread_mutex_unlock(&lock);
  }
  return p;
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(64, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  header *h = (header *)ptr - 1;
  if (h->run) {
    pthread_mutex_lock(&lock);
    if (h->run)
      unlink_block(h);
    pthread_mutex_unlock(&lock);
  }
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
