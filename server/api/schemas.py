"""Request and response bodies of the API (pydantic), with examples for the OpenAPI description."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_MESSAGE_CHARS = 2000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=120, examples=["demo-rep"])
    password: str = Field(min_length=1, max_length=200, examples=["peilian-demo"])


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    org: str


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="在修改数据的请求中放入 X-CSRF-Token 请求头")


class UserIn(Strict):
    username: str = Field(min_length=3, max_length=120, examples=["zhang.wei"])
    display_name: str = Field(default="", max_length=120, examples=["张伟"])
    role: Literal["rep", "trainer", "admin"] = "rep"
    password: str = Field(min_length=8, max_length=200)


class ApiKeyIn(Strict):
    name: str = Field(default="LMS", min_length=1, max_length=120, examples=["Moodle"])


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="只显示这一次;请立即保存")


def user_out(user: Any) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                   org=user.organization.slug)
