"""``make bench``: every benchmark, printing figures (never asserting them)."""

from __future__ import annotations

from bench import etl_bench


def main() -> None:
    for scale in ("1", "10"):
        etl_bench.main(["--scale", scale])


if __name__ == "__main__":
    main()
