/*
 * The naming service (uspace/srv/ns), client side.
 *
 * Every task but ns starts with phone IPC_PHONE_NS to it.  A server
 * registers a name; a client connects by name and gets a phone to the
 * server, waiting until the server has registered.  Names are 1 to
 * NS_NAME_MAX bytes (no NUL), packed little-endian into two words.
 *
 * The protocol (docs/ipc.md):
 *  IPC_M_CONNECT_ME_TO  arg[0..1] name, arg[2] timeout in ms (0: wait
 *      for the server as long as it takes): ns forwards the call to the
 *      server, which accepts it (ipc_connect_accept).  ETIMEOUT if the
 *      name did not appear in time, ELIMIT if too many connects wait.
 *      arg[0] == arg[1] == 0: a new phone to ns itself (see below).
 *  IPC_M_CONNECT_TO_ME  arg[0..1] name, arg[4] badge: register the
 *      caller under the name.  It must come through a phone to ns made
 *      for it (the empty-name connect above): when that phone hangs up
 *      (the server ends, or ns_unregister), the name goes away.  EEXIST
 *      if the name is taken, ELIMIT if the registry is full.
 */
#ifndef LIBC_NS_H_
#define LIBC_NS_H_

#include <abi/errno.h>
#include <abi/ipc.h>
#include <stdint.h>

#define NS_NAME_MAX 16
/* ns's bounds: registered names, and connects waiting for a name. */
#define NS_NAMES_MAX 64
#define NS_PENDING_MAX 64
/* The badge ns's connection to a server carries (ev.conn of the connect
 * requests ns forwards). */
#define NS_CONN_BADGE 0x6e73UL

/* Pack @a name into two words: EINVAL if empty or too long. */
errno_t ns_name_pack(const char *name, uint64_t words[2]);
/* The name in @a words, NUL-terminated. */
void ns_name_unpack(const uint64_t words[2], char out[NS_NAME_MAX + 1]);

/* Register the calling task as @a name.  It must then serve (ipc_serve)
 * and accept the IPC_M_CONNECT_ME_TO calls ns forwards to it. */
errno_t ns_register(const char *name);
/* Give the name up (ns hangs up its phone to us). */
errno_t ns_unregister(const char *name);
/* A phone to the server @a name, waiting until it exists. */
errno_t ns_connect(const char *name, cap_handle_t *phone);
/* The same, but ETIMEOUT after @a timeout_ms (0: no limit). */
errno_t ns_connect_timeout(const char *name, uint64_t timeout_ms, cap_handle_t *phone);

#endif
