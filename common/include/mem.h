/* Memory block functions of kernel and libc (the compiler may also emit calls). */
#ifndef COMMON_MEM_H_
#define COMMON_MEM_H_

#include <stddef.h>
#include <str.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
