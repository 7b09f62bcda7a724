"""Tokenizer file formats: ``load`` anything into the one ``Tokenizer`` type, ``save`` it back.

Modules, one format each: ``hf_json`` / ``hf_json_reader`` (Hugging Face tokenizer.json),
``tiktoken_file`` (``.tiktoken`` ranks + our pattern sidecar), ``sentencepiece_model``
(``.model`` protobuf), ``gpt2_files`` (``encoder.json`` + ``vocab.bpe``), ``tekken`` (Mistral's
Tekken JSON); ``builtins`` names the tokenizers that load offline; ``loading`` detects and
dispatches; ``saving`` writes and verifies conversions.
"""

from __future__ import annotations

from .builtins import builtin_names
from .loading import load
from .saving import convert, save

__all__ = ["builtin_names", "convert", "load", "save"]
