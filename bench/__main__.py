"""``make bench``: every benchmark, printing figures (never asserting them)."""

from __future__ import annotations

from bench import (
    build_bench,
    dashboard_bench,
    docs_bench,
    etl_bench,
    hmac_bench,
    prefect_bench,
    validate_batch_bench,
    validate_bench,
)


def main() -> None:
    for scale in ("1", "10"):
        etl_bench.main(["--scale", scale])
        build_bench.main(["--scale", scale])
    dashboard_bench.main(["--scale", "1"])
    validate_bench.main([])
    validate_batch_bench.main(["--scale", "0.2"])
    hmac_bench.main([])
    docs_bench.main(["--scale", "0.1"])
    prefect_bench.main([])
    _load_test()


def _load_test() -> None:
    """Locust against gunicorn: 50 signed-in users, 1-5 s pauses, 60 s (bench/load_bench.py)."""
    from bench import load_bench

    load_bench.main(["--scale", "1"])


if __name__ == "__main__":
    main()
