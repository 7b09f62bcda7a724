"""Package-level promises: a light import, a truthful ``__all__``, and a coherent error tree."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import tokensmith
from tokensmith import _errors

HEAVY_MODULES = ("torch", "transformers", "safetensors", "accelerate")


def test_import_does_not_load_heavy_libraries() -> None:
    # A fresh interpreter: this test process may already have imported them for other tests.
    probe = (
        "import json, sys, tokensmith, tokensmith.cli; "
        f"print(json.dumps(sorted(m for m in {list(HEAVY_MODULES)!r} if m in sys.modules)))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout) == []


def test_all_names_resolve_and_are_unique() -> None:
    assert len(tokensmith.__all__) == len(set(tokensmith.__all__))
    for name in tokensmith.__all__:
        assert getattr(tokensmith, name, None) is not None, f"tokensmith.__all__ lists {name!r} but it is missing"


def test_public_names_are_exported() -> None:
    # Anything public defined at package level must be in __all__ (modules and dunders aside).
    public = {
        name
        for name, value in vars(tokensmith).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(tokensmith.__all__)


def _public_error_classes() -> list[type[BaseException]]:
    return [
        value
        for name, value in vars(_errors).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith("_")
    ]


def test_every_error_derives_from_tokensmith_error_and_a_builtin() -> None:
    builtin_bases = (ValueError, FileNotFoundError, FileExistsError, ImportError)
    classes = _public_error_classes()
    assert tokensmith.TokensmithError in classes and len(classes) > 5
    for error_class in classes:
        assert issubclass(error_class, tokensmith.TokensmithError), error_class
        if error_class is not tokensmith.TokensmithError:
            assert issubclass(error_class, builtin_bases), f"{error_class.__name__} has no builtin base"


def test_every_error_class_is_exported() -> None:
    for error_class in _public_error_classes():
        assert getattr(tokensmith, error_class.__name__, None) is error_class
        assert error_class.__name__ in tokensmith.__all__


def test_error_tree_documentation_names_every_class() -> None:
    # The module docstring draws the tree; a class missing from it is undocumented.
    for error_class in _public_error_classes():
        assert error_class.__name__ in (_errors.__doc__ or "")


def test_version_matches_distribution_metadata() -> None:
    from importlib.metadata import version

    assert tokensmith.__version__ == version("tokensmith")
