/*
 * Host shim of libc's ipc.h for tests/test_vblk.c: the one call the
 * driver's request path makes (answering a call), implemented by the test,
 * which records the answers.
 */
#ifndef LIBC_IPC_H_
#define LIBC_IPC_H_

#include <abi/errno.h>
#include <abi/ipc.h>

#define IPC_NO_REPLY ((errno_t) -1)

errno_t ipc_answer(cap_handle_t call, errno_t retval, ipc_msg_t *args);

#endif
