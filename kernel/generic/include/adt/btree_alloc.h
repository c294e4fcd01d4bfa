/* Kernel-side node allocation for the B+tree (a slab cache). */
#ifndef KERN_ADT_BTREE_ALLOC_H_
#define KERN_ADT_BTREE_ALLOC_H_

#include <stddef.h>

void btree_subsystem_init(void);
/* B+tree nodes live now, for leak checks. */
size_t btree_nodes_live(void);

#endif
