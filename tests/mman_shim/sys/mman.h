/*
 * Host shim for tests/test_mman.c: <sys/mman.h> is libc's own (its flags
 * and prototypes), found before the build machine's.
 */
#include "../../../uspace/lib/c/include/sys/mman.h"
