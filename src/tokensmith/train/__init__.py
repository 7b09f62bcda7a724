"""Training byte-level BPE tokenizers: options, the trainer, extension, saving, and the reference trainer.

    >>> from tokensmith.train import BpeTrainingOptions, train_bpe, save_training_output
    >>> result = train_bpe(["corpus/"], BpeTrainingOptions(vocab_size=32768))
    >>> save_training_output(result, "my-tokenizer")
"""

from .options import BpeTrainingOptions
from .output import save_training_output
from .reference import reference_train_from_text, reference_train_merges
from .trainer import TrainingResult, extend_bpe, train_bpe

__all__ = [
    "BpeTrainingOptions",
    "TrainingResult",
    "extend_bpe",
    "reference_train_from_text",
    "reference_train_merges",
    "save_training_output",
    "train_bpe",
]
