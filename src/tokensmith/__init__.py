"""tokensmith: train, measure, transplant and run language-model tokenizers."""

from ._errors import (
    ConversionError,
    CorpusError,
    FormatError,
    OptionalDependencyError,
    OutputExistsError,
    SpecialTokenError,
    TokensmithError,
    TokensmithFileNotFoundError,
    TrainingError,
    UnsupportedFormatError,
)
from ._tokenizer import BackendSpec, Tokenizer

__version__ = "0.1.0"

__all__ = [
    "BackendSpec",
    "ConversionError",
    "CorpusError",
    "FormatError",
    "OptionalDependencyError",
    "OutputExistsError",
    "SpecialTokenError",
    "Tokenizer",
    "TokensmithError",
    "TokensmithFileNotFoundError",
    "TrainingError",
    "UnsupportedFormatError",
    "__version__",
]
