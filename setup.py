"""Builds the optional C accelerator of the HJ 212 codec.

Everything else lives in pyproject.toml. The extension is optional: when no
compiler is present the pure-Python code path is used and gives the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ecozone.hj212._speedups",
            sources=["src/ecozone/hj212/_speedups.c"],
            optional=True,
            extra_compile_args=["-O3"],
        )
    ]
)
