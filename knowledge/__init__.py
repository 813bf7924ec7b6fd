"""The book 《价值型销售》 as a searchable knowledge base.

    from knowledge import open_index
    hits = open_index().search("客户说完要停几秒再接话?", k=3)   # [Hit(section, text, score, id)]

`knowledge.book` (passages) and `knowledge.cite` (citations for findings) are pure Python; Chroma is
imported only when an index is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder
    from knowledge.index import BookIndex
    from peilian.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for: OpenAI-compatible when configured, else hashed n-grams."""
    from knowledge.embeddings import HashedNgramEmbedder, OpenAIEmbedder

    if settings.embeddings == "openai":
        if settings.openai_api_key is None:
            raise ValueError("PEILIAN_EMBEDDINGS=openai 需要设置 OPENAI_API_KEY")
        return OpenAIEmbedder(
            model=settings.embedding_model,
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
        )
    return HashedNgramEmbedder()


def open_index(settings: Settings | None = None, **kwargs: Any) -> BookIndex:
    """The book index of the configured data directory, built first if missing or stale."""
    from knowledge.index import ensure_index
    from peilian.settings import get_settings

    settings = settings or get_settings()
    return ensure_index(settings.index_dir, make_embedder(settings), **kwargs)
