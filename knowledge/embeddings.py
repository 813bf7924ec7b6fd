"""Embedders: the one seam through which the book index turns text into vectors.

An embedder is anything with `name` (stored in the index manifest: an index is only queried with the
embedder that built it) and `embed(texts) -> list[list[float]]`. The default needs no model and no network;
an OpenAI-compatible one is used when `PEILIAN_EMBEDDINGS=openai` and an API key are configured.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from knowledge.text import char_ngrams


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class HashedNgramEmbedder:
    """Character 1–3-gram counts hashed into a fixed number of signed buckets, L2-normalised.

    Chinese has no spaces, and character n-grams match words however they are segmented. The hash is
    blake2b (stable across processes, unlike `hash()`), so an index built once is valid everywhere.
    """

    def __init__(self, dim: int = 2048) -> None:
        self.dim = dim
        self.name = f"hashed-ngram-{dim}"

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for gram, count in Counter(char_ngrams(text)).items():
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            sign = 1.0 if (h >> 40) & 1 else -1.0
            # Single characters say little on their own: they count half.
            weight = (1.0 + math.log(count)) * (0.5 if len(gram) == 1 else 1.0)
            vec[h % self.dim] += sign * weight
        norm = math.sqrt(sum(v * v for v in vec))
        return [v / norm for v in vec] if norm else vec

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]


class OpenAIEmbedder:
    """Embeddings from any OpenAI-compatible endpoint (OpenAI, Qwen, a local vLLM or Ollama)."""

    def __init__(
        self, *, model: str, api_key: str, base_url: str | None = None, timeout: float = 30.0
    ) -> None:
        from openai import OpenAI

        self.name = f"openai-{model}"
        self._model = model
        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        response = self._client.embeddings.create(model=self._model, input=list(texts))
        return [item.embedding for item in response.data]
