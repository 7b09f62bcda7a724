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
from .formats import builtin_names, load, save
from .corpora import Corpus, LanguageCollection, open_corpus, open_language_collection
from .measure import Report, audit, evaluate
from .train import BpeTrainingOptions, TrainingResult, extend_bpe, save_training_output, train_bpe
from .bytes import ByteEnsemble, ByteLM, NaiveTokenLM, TokenHealingLM
from .models import load_causal_lm

__version__ = "0.1.0"

__all__ = [
    "audit",
    "BackendSpec",
    "BpeTrainingOptions",
    "builtin_names",
    "ByteEnsemble",
    "ByteLM",
    "ConversionError",
    "Corpus",
    "CorpusError",
    "evaluate",
    "extend_bpe",
    "FormatError",
    "LanguageCollection",
    "load",
    "load_causal_lm",
    "NaiveTokenLM",
    "open_corpus",
    "open_language_collection",
    "OptionalDependencyError",
    "OutputExistsError",
    "Report",
    "save",
    "save_training_output",
    "SpecialTokenError",
    "TokenHealingLM",
    "Tokenizer",
    "TokensmithError",
    "TokensmithFileNotFoundError",
    "train_bpe",
    "TrainingError",
    "TrainingResult",
    "UnsupportedFormatError",
    "__version__",
]
