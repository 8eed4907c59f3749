"""Speed and memory benchmarks; each module runs with ``python -m benchmarks.<name>``."""
