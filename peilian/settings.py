"""All configuration in one place: environment variables with the prefix `PEILIAN_` (and a `.env` file).

The LLM is configured with the standard OpenAI variables (`OPENAI_API_KEY`, `OPENAI_BASE_URL`) and
`PEILIAN_LLM_MODEL` (CONTRACT.md §2); without them the scripted voice and the hashed embeddings are used,
so the product runs offline. Every setting is listed in README.md.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory (XDG on Linux): database, book index, uploaded scenarios."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "peilian"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEILIAN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="数据目录:数据库、知识库索引")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL;默认是数据目录中的 SQLite 文件"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    public_url: str | None = Field(default=None, description="对外地址,用于 xAPI 的 id;默认 http://host:port")
    max_request_kb: int = Field(default=256, ge=1, description="请求体上限(KB)")
    rate_limit_per_minute: int = Field(default=600, ge=1, description="每个用户或 API 密钥每分钟的请求上限")
    anonymous_rate_limit_per_minute: int = Field(
        default=60, ge=1, description="未登录访客(按地址)每分钟检索书的上限"
    )
    login_max_failures: int = Field(default=5, ge=1, description="同一用户名在窗口内允许的登录失败次数")
    login_max_failures_per_address: int = Field(
        default=20, ge=1, description="同一地址在窗口内允许的登录失败次数"
    )
    login_window_seconds: float = Field(default=300.0, gt=0, description="登录失败计数的时间窗口(秒)")
    worker_threads: int = Field(default=16, ge=1, le=200, description="处理数据库与对练回合的线程数")
    gil_switch_ms: float = Field(default=1.0, gt=0, le=50, description="Python GIL 切换间隔(毫秒)")
    outbox_interval: float = Field(default=15.0, gt=0, description="投递 xAPI/webhook 的间隔(秒)")
    workers: int = Field(default=1, ge=1, le=64, description="服务进程数(peilian serve --workers 会设置它)")
    redis_url: str | None = Field(default=None, description="Redis 地址;设置后限流与登录失败计数存在 Redis")
    limits_backend: Literal["auto", "memory", "database", "redis"] = Field(
        default="auto", description="限流计数存在哪里:auto、memory(单进程)、database(PostgreSQL)或 redis"
    )

    embeddings: Literal["hashed", "openai"] = Field(
        default="hashed", description="知识库向量:hashed 或 openai"
    )
    embedding_model: str = "text-embedding-3-small"

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("PEILIAN_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PEILIAN_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_model: str | None = Field(default=None, description="客户的 LLM 语音所用模型;未设置则用脚本语音")
    # A practice call is interactive: a dead endpoint should fall back to the scripted voice quickly.
    llm_timeout: float = Field(default=12.0, gt=0)
    llm_max_retries: int = Field(default=1, ge=0, le=10)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'peilian.sqlite3'}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key and self.llm_model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
