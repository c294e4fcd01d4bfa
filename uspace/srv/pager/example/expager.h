/*
 * The example pager's protocol (uspace/srv/pager/example; the pager of
 * docs/pager-abi.md).  User methods on a phone to "expager":
 *
 *  EXPAGER_CREATE  arg[0] pages (1 .. EXPAGER_PAGES_MAX)
 *                  -> arg[0] a new object of that many zero pages
 *  EXPAGER_PRIVATE arg[0] object -> arg[0] a new object: a private,
 *                  copy-on-write copy of it (bind a private mapping to it)
 *  EXPAGER_STATS   -> arg[0] objects, arg[1] page-ins, arg[2] pages copied
 *                  on write, arg[3] client connections open
 *  EXPAGER_STOP    the pager ends once no client and no object is left
 *
 * An object lives while it has areas; one that never got an area goes when
 * its creator's connection closes.  Pages at or beyond an object's size
 * fault with ERANGE.
 */
#ifndef EXPAGER_H_
#define EXPAGER_H_

#include <abi/ipc.h>

#define EXPAGER_NAME "expager"
#define EXPAGER_PAGES_MAX 64

enum {
	EXPAGER_CREATE = IPC_M_FIRST_USER,
	EXPAGER_PRIVATE,
	EXPAGER_STATS,
	EXPAGER_STOP,
};

#endif
