# SPDX-License-Identifier: MIT
# A python multiprocessing pool: four worker processes (fork start
# method) square numbers; the parent gathers the results.
import multiprocessing


def square(x):
    return x * x


if __name__ == "__main__":
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        assert sum(pool.map(square, range(200))) == sum(x * x for x in range(200))
