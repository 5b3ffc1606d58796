/* SPDX-License-Identifier: MIT */
/* The whole public API of the anonvma model. */
#ifndef ANONVMA_ANONVMA_H
#define ANONVMA_ANONVMA_H

#include "check.h"
#include "folio.h"
#include "interval_tree.h"
#include "list.h"
#include "locking.h"
#include "mm.h"
#include "mm_types.h"
#include "pgtable.h"
#include "rbtree.h"
#include "rmap.h"
#include "slab.h"
#include "system.h"
#include "vmscan.h"

#endif
