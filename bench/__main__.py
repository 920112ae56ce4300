"""`python -m bench`: run every benchmark module of this package in turn, with its defaults.

Each module exposes ``main(argv) -> int``; each bounds its own running time.
"""

import sys

from bench import booking_rush

BENCHMARKS = [booking_rush]


def main() -> int:
    status = 0
    for module in BENCHMARKS:
        print(f"== {module.__name__}", flush=True)
        status = max(status, module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main())
