"""`make bench`: run every benchmark module in this folder and print its figures."""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

# Benchmarks run with DEBUG=0, like production, on which the settings refuse the public
# development key; they get one of their own unless SECRET_KEY is set.
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment-0c4d2a")


def main() -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if len(sys.argv) > 1:
        names = [n for n in names if any(arg in n for arg in sys.argv[1:])]
    if not names:
        print("no benchmarks yet")
        return 0
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"tests.benchmarks.{name}")
            module.main()
        except SystemExit as exc:  # a benchmark that cannot run here says why and stops
            if exc.code not in (None, 0):
                print(f"   not run: {exc.code}")
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
