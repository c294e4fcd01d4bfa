/* Host build: the kernel's memory functions are the C library's. */
#ifndef HOST_SHIM_MEM_H_
#define HOST_SHIM_MEM_H_

#include <string.h>

#endif
