"""Data files shipped inside the packages, found through importlib.resources.

A file the code reads at run time lives inside a package and is listed under
`[tool.setuptools.package-data]` in pyproject.toml, so the checkout and an installed wheel
find it the same way: today the Alembic migrations and their script template; the message
catalogs follow the same path. tests/test_packaging.py fails when such a file is missing
from the wheel.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(package: str, *parts: str) -> Path:
    """The file or folder `parts` inside `package`, as a path other tools can open."""
    resource = files(package).joinpath(*parts)
    if not isinstance(resource, Path):  # a zip import: Alembic and gettext need real files
        raise TypeError(f"{package} is not installed as plain files; cannot open {parts}")
    return resource
