/* Host build: the kernel's assert/panic map onto the C library's. */
#ifndef HOST_SHIM_DEBUG_H_
#define HOST_SHIM_DEBUG_H_

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#define panic(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

#endif
