/* The resident set of this process in KiB (VmRSS of /proc/self/status; -1
 * where unreadable), for the C programs of the tfc-compile tests that
 * measure what runs leave allocated. */
#ifndef TFC_TEST_RESIDENT_SET_H
#define TFC_TEST_RESIDENT_SET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long resident_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6))
      kib = atol(line + 6);
  if (f)
    fclose(f);
  return kib;
}

#endif
