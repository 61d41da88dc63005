"""Builds the one C extension: the compiled UBL walk (src/adapters/ubl/compiled_walk.pyx).

Everything else lives in pyproject.toml. The extension reads libxml2 nodes through lxml's public C API, so it is
compiled against lxml's headers (lxml.get_include()). It is optional: without Cython or a C compiler (or with
PROCOUNTOR_CONNECTOR_PURE_PYTHON=1) the package still installs and the parser uses its pure-Python walk, which
gives the same results more slowly. CI asserts that the extension was built (tests/unit/ubl/test_compiled_walk.py).
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """A failed compile is a warning, not a failed install: the pure-Python walk takes over."""

    def run(self):
        try:
            super().run()
        except Exception as error:  # noqa: BLE001 - distutils raises several unrelated types here
            print(f"setup.py: compiled UBL walk not built ({error}); using the pure-Python walk", file=sys.stderr)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001
            print(f"setup.py: {ext.name} not built ({error}); using the pure-Python walk", file=sys.stderr)


def extensions():
    if os.environ.get("PROCOUNTOR_CONNECTOR_PURE_PYTHON") == "1":
        return []
    try:
        import lxml
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        return []
    return cythonize(
        [Extension("adapters.ubl.compiled_walk", ["src/adapters/ubl/compiled_walk.pyx"],
                   depends=["src/adapters/ubl/compiled_values.pxi", "src/adapters/ubl/compiled_aggregates.pxi"],
                   include_dirs=lxml.get_include())],
        compiler_directives={"language_level": "3"}, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
