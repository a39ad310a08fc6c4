"""The benchmark suite (`make bench`, docs/benchmark.md). Never imported by the app; never run by `make test`
(only bench/tests, which exercise the generator and the report cheaply)."""
