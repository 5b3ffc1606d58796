#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of fuzz_ops (tests/libfuzzer-corpus/ops).

Each seed is a short operation program in the encoding of
tools/libfuzzer/ops.h, written here in readable form.  The seeds start
the fuzzer from the situations the spec cares about (fork, COW, splits
and merges of faulted VMAs, mremap, brk, swap, migration, allocation
failures) instead of from empty input.

    tools/libfuzzer/ops_seeds.py [DIR]
"""
import os
import sys

OPS = ["mmap", "munmap", "mprotect", "mremap", "madvise", "read", "write",
       "fork", "exit", "swapout", "migrate", "rmap", "brk", "fail",
       "mapcount", "exec"]
R, W, X = 1, 2, 4
SHARED = 8
# mmap placement (g bits 0-1) and the file (g bit 2)
FIXED, NOREPLACE, HINT, ANYWHERE, FILE = 0, 1, 2, 3, 4
# mremap flags (f)
MAYMOVE, MFIXED, DONTUNMAP = 1, 2, 4
# madvise advice table indices (f)
DONTNEED, DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK = 0, 1, 2, 3, 4
# caches (f of fail), enum fi_cache of tools/scenario/failinject.h
FI = {"any": 0, "anon_vma": 1, "avc": 2, "vma": 3, "folio": 4,
      "pgtable": 5, "mm": 6, "maple": 7, "swap": 8, "file": 9}


def op(name, p=0, a=0, n=1, f=0, g=0, h=0, k=0):
    """One 4-byte record (ops.h); n is the page count 1..16."""
    assert 1 <= n <= 16 and 0 <= a < 16 and p < 4
    return bytes([OPS.index(name) | f << 4, p | g << 2, a | h << 4,
                  (n - 1) | k << 4])


def prog(design, *recs):
    return bytes([design]) + b"".join(recs)


def mremap(p, a, n, new_pages, flags, to=0, g=0):
    return op("mremap", p, a, n, f=flags, g=g, h=new_pages - 1, k=to)


def forked(pages):
    """Process 0 maps and writes @pages pages, then forks process 1."""
    return (op("mmap", 0, 0, pages, f=R | W) + op("write", 0, 0, pages) +
            op("fork", 0))


SEEDS = {
    "fork-cow": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 4),
        op("fork", 0),
        op("write", 1, 1, 1, h=2),
        op("read", 0, 0, 4),
        op("rmap", 0, 0, 4),
        op("fork", 1),
        op("write", 2, 0, 2, h=3),
        op("exit", 1),
        op("rmap", 2, 0, 4, f=1),
        op("exit", 0)),
    "split-merge": prog(0,
        op("mmap", 0, 0, 8, f=R | W),
        op("write", 0, 0, 2),
        op("mprotect", 0, 2, 2, f=R),
        op("mprotect", 0, 2, 2, f=R | W),
        op("write", 0, 6, 2),
        op("fork", 0),
        op("mprotect", 1, 1, 1, f=R),
        op("mprotect", 1, 1, 1, f=R | W),
        op("munmap", 1, 3, 2),
        op("mmap", 1, 3, 2, f=R | W, g=NOREPLACE),
        op("write", 1, 0, 8)),
    "mremap": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 4),
        mremap(0, 0, 4, 4, MAYMOVE | MFIXED, to=8),
        op("fork", 0),
        mremap(1, 8, 2, 2, MAYMOVE | MFIXED | DONTUNMAP, to=2),
        op("write", 1, 2, 2),
        mremap(0, 8, 4, 6, 0),
        mremap(0, 10, 2, 2, MAYMOVE | MFIXED, to=14),
        op("rmap", 1, 8, 4)),
    "brk": prog(0,
        op("mmap", 0, 0, 2, f=R | W),
        op("brk", 0, 12),
        op("write", 0, 8, 4),
        op("fork", 0),
        op("brk", 1, 14),
        op("write", 1, 8, 6),
        op("brk", 0, 10),
        op("brk", 1, 9)),
    "file-cow": prog(0,
        op("mmap", 0, 0, 4, f=R | W, g=FILE, h=2),
        op("read", 0, 0, 4),
        op("write", 0, 1, 2),
        op("fork", 0),
        op("write", 1, 0, 4),
        op("mmap", 0, 4, 2, f=R | W | SHARED, g=FILE),
        op("write", 0, 4, 2),
        op("mmap", 1, 6, 2, f=R | W | SHARED),
        op("write", 1, 6, 2),
        op("fork", 1),
        op("read", 2, 6, 2)),
    "madvise-fork": prog(0,
        op("mmap", 0, 0, 6, f=R | W),
        op("write", 0, 0, 6),
        op("madvise", 0, 0, 2, f=WIPEONFORK),
        op("madvise", 0, 2, 2, f=DONTFORK),
        op("madvise", 0, 4, 1, f=DONTNEED),
        op("fork", 0),
        op("read", 1, 0, 6),
        op("madvise", 0, 0, 2, f=KEEPONFORK),
        op("madvise", 0, 2, 2, f=DOFORK),
        op("fork", 0),
        op("write", 2, 0, 6)),
    "swap-migrate": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 4),
        op("fork", 0),
        op("swapout", 0, 0, 2),
        op("swapout", 0, 2, 2, f=1),
        op("read", 1, 0, 4),
        op("migrate", 1, 0, 4),
        op("write", 0, 0, 4),
        op("exit", 1),
        op("swapout", 0, 0, 4),
        op("read", 0, 0, 4)),
    "fail-fork": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 2),
        op("mprotect", 0, 1, 1, f=R),
        op("fail", f=FI["any"], n=3),
        op("fork", 0),
        op("fork", 0),
        op("fail", f=FI["avc"], n=1),
        op("fork", 1),
        op("fail", f=FI["anon_vma"], n=1),
        op("write", 1, 2, 2)),
    "fail-split": prog(1,
        forked(8),
        op("fail", f=FI["vma"], n=1),
        op("mprotect", 1, 2, 2, f=R),
        op("fail", f=FI["avc"], n=1),
        op("mprotect", 1, 2, 2, f=R),
        op("fail", f=FI["any"], n=2),
        mremap(1, 0, 2, 2, MAYMOVE | MFIXED, to=10),
        op("fail", f=FI["folio"], n=1),
        op("write", 1, 4, 2)),
    # CI, 2026-11-22: 6.18's clone retries a chain allocation that failed
    # without sleeping, so this madvise splits, advises the mapped part
    # and returns the hole's ENOMEM; the harness wanted EAGAIN.
    "madvise-hole-nowait": prog(1,
        forked(8),
        op("fail", f=FI["avc"], n=1),
        op("madvise", 1, 4, 16, f=WIPEONFORK),
        op("fail", f=FI["vma"], n=1),
        op("madvise", 1, 2, 16, f=DONTFORK),
        op("fork", 1)),
    "v6.18-fork-exit": prog(1,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 4),
        op("fork", 0),
        op("write", 1, 0, 4),
        op("exit", 0),
        op("fork", 1),
        op("write", 2, 0, 2),
        op("exit", 1),
        op("fork", 2),
        op("rmap", 3, 0, 4)),
    "mapcount-exec": prog(0,
        op("mapcount", f=3),
        op("mmap", 0, 0, 8, f=R | W),
        op("mprotect", 0, 1, 1, f=R),
        op("mprotect", 0, 3, 1, f=R),
        op("mprotect", 0, 5, 1, f=R),
        op("munmap", 0, 2, 1),
        op("mapcount"),
        op("exec", 0),
        op("mmap", 0, 0, 2, f=R | W, g=ANYWHERE),
        op("mmap", 0, 4, 2, f=R, g=HINT)),
    # tests/bugs/dup-stale-anon-vma.scn: an unfaulted VMA expands over
    # its faulted neighbour and the clone fails.
    "dup-fail": prog(0,
        op("mmap", 0, 2, 2, f=R | W, g=NOREPLACE),
        op("write", 0, 2, 2),
        op("mprotect", 0, 2, 2, f=R),
        op("mmap", 0, 0, 2, f=R | W, g=NOREPLACE),
        op("fail", f=FI["avc"], n=1),
        op("mprotect", 0, 2, 2, f=R | W),
        op("write", 0, 0, 1),
        op("mprotect", 0, 2, 2, f=R | W)),
    # tests/bugs/merge-no-copied-from.scn: mremap back with DONTUNMAP
    # next to an unfaulted VMA.
    "mremap-dontunmap-merge": prog(0,
        op("mmap", 0, 4, 3, f=R | W, g=NOREPLACE),
        op("write", 0, 4, 3),
        mremap(0, 4, 3, 3, MAYMOVE | MFIXED, to=12),
        op("mmap", 0, 1, 3, f=R | W, g=NOREPLACE),
        mremap(0, 12, 3, 3, MAYMOVE | MFIXED | DONTUNMAP, to=4),
        op("munmap", 0, 12, 3),
        op("rmap", 0, 4, 3),
        op("read", 0, 4, 3)),
    # Found by fuzz_ops with tag-child-nonexcl switched on: a folio
    # swapped in after fork must be tagged with the root anon_vma.
    "swapin-after-fork": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 4),
        op("fork", 0),
        op("swapout", 0, 0, 2),
        op("write", 1, 0, 4),
        op("write", 0, 0, 1)),
    # A process that pinned pages forks: its exclusive pages are copied.
    "pinned-fork": prog(0,
        op("mmap", 0, 0, 4, f=R | W),
        op("write", 0, 0, 3),
        op("fork", 0, f=1),
        op("write", 1, 0, 4),
        op("read", 0, 0, 4),
        op("swapout", 0, 0, 4),
        op("fork", 0, f=1),
        op("read", 2, 0, 4)),
    # v6.18 links chains under the root lock: a failure there unwinds.
    "v6.18-clone-fail": prog(1,
        op("mmap", 0, 0, 6, f=R | W),
        op("write", 0, 0, 6),
        op("fork", 0),
        op("write", 1, 0, 2),
        op("fail", f=FI["avc"], n=2),
        op("mprotect", 1, 1, 2, f=R),
        op("fail", f=FI["avc"], n=3),
        op("fork", 1),
        op("fail", f=FI["anon_vma"], n=2),
        op("fork", 1)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/libfuzzer-corpus/ops"
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
