"""Request and response bodies of the API (pydantic), with examples for the OpenAPI description."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from server.services.inputs import NUL_MESSAGE, has_nul

MAX_MESSAGE_CHARS = 2000
MAX_OFFSET = 1_000_000  # the furthest page of a list; beyond it a database's integer overflows


class Strict(BaseModel):
    """A request body: no unknown fields, no coercion (`false` is no number, `0` no boolean, `"3"` no
    integer), and no NUL character in any string (PostgreSQL refuses them)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value


class ErrorDetail(BaseModel):
    code: str = Field(
        description="稳定的错误代码,如 not_found / invalid_request / rate_limited", examples=["not_found"]
    )
    message: str = Field(description="给人看的中文说明(不回显请求内容)", examples=["会话 abc 不存在"])


class ErrorOut(BaseModel):
    """Every 4xx (and the generic 500) answer of the API."""

    error: ErrorDetail


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("日期格式应为 YYYY-MM-DD")
    return value


# A date in a query: YYYY-MM-DD only (pydantic alone also takes "0" as 1970-01-01).
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=120, examples=["demo-rep"])
    password: str = Field(min_length=1, max_length=200, examples=["peilian-demo"])
    org: str | None = Field(
        default=None,
        max_length=64,
        examples=[None],
        description="组织标识:只有同一用户名在几个组织里都有、且密码也相同时才需要",
    )


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    org: str
    active: bool = True  # False: disabled by an admin (cannot log in; the history stays)


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
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        org=user.organization.slug,
        active=user.active,
    )


class LearnerIn(Strict):
    id: str = Field(
        min_length=1, max_length=300, description="学员在 LMS 中的 id", examples=["moodle-user-42"]
    )
    name: str = Field(default="", max_length=120, examples=["张伟"])


class StartIn(Strict):
    scenario_id: str = Field(min_length=1, max_length=120, examples=["gov-meeting-room"])
    voice: Literal["scripted", "llm"] = "scripted"
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="脚本语音的随机种子")
    difficulty: Literal["easy", "standard", "hard"] | None = Field(
        default=None, description="客户难度(easy / standard / hard);不填用场景卡的 difficulty"
    )
    learner: LearnerIn | None = Field(default=None, description="仅 API 密钥:替哪位学员开始")


class MessageIn(Strict):
    text: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, examples=["王主任您好,我是华声会议系统的客户经理李明。"]
    )
    typing_started_at: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="客户端时钟:开始输入的时刻(Unix 秒)"
    )
    sent_at: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="客户端时钟:发送的时刻(Unix 秒)"
    )
    client_now: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="客户端时钟:此刻(Unix 秒),用于校验时钟偏差"
    )


class SilenceIn(Strict):
    seconds: float = Field(
        gt=0, le=3600, allow_inf_nan=False, description="销售保持沉默的秒数", examples=[4.5]
    )


class LmsIn(Strict):
    """An organisation's LMS delivery targets; a field left out is unchanged, "" clears it."""

    lrs_endpoint: str | None = Field(default=None, max_length=500, examples=["https://lrs.example.com/xAPI"])
    lrs_auth: str | None = Field(
        default=None, max_length=500, description="Authorization 头,如 Basic base64(key:secret)"
    )
    webhook_url: str | None = Field(
        default=None, max_length=500, examples=["https://lms.example.com/hooks/peilian"]
    )
    webhook_secret: str | None = Field(default=None, max_length=200)


class LmsOut(BaseModel):
    lrs_endpoint: str | None
    lrs_auth_set: bool
    webhook_url: str | None
    webhook_secret_set: bool


class CommentIn(Strict):
    message_seq: int | None = Field(
        default=None, ge=0, le=100_000, description="针对哪条消息;不填表示整体点评"
    )
    text: str = Field(min_length=1, max_length=2000, examples=["这里可以先停 4 秒,让客户把话说完。"])


class AdjustmentIn(Strict):
    dimension: str = Field(min_length=1, max_length=32, examples=["listening"])
    score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=2, max_length=1000, examples=["客户主动打断,停顿不足情有可原"])


class LabelIn(Strict):
    """A trainer's label for one rep message (CONTRACT §1): fields that do not apply are left out or null."""

    message_seq: int = Field(ge=0, le=100_000, description="要更正的销售消息序号", examples=[3])
    act: str = Field(
        min_length=1,
        max_length=32,
        examples=["exploratory"],
        description="exploratory / control / confirmation / extension / commitment / pitch / statement",
    )
    focus: str | None = Field(
        default=None,
        max_length=32,
        examples=["motive"],
        description="仅 exploratory:process / expectation / need / motive",
    )
    form: str | None = Field(
        default=None, max_length=32, description="仅 confirmation:plain / paraphrase / summary"
    )
    elements: dict[str, Any] | None = Field(
        default=None, description="仅 commitment:{time, people, action, benefit} 四个布尔值", examples=[None]
    )


class OutcomeOut(BaseModel):
    """How the call ended (evaluators.scorecard's `outcome`); scorecards stored before it read as unknown."""

    model_config = ConfigDict(extra="allow")

    result: Literal["committed", "hung_up", "time_up", "ended", "unknown"] = Field(
        description="committed 客户同意 / hung_up 客户挂断 / time_up 时间到 / ended 销售结束 / unknown 无法判断"
    )
    commitment: str | None = Field(default=None, description="highest / lowest:客户答应的是最高还是最低承诺")
    elements: list[str] | None = Field(
        default=None, description="承诺里有的要素:time / people / action / benefit"
    )
    reason: str | None = Field(default=None, description="客户离开的原因")
    facts_earned: int | None = Field(default=None, description="挖到的隐藏事实数;导入的记录为 null")
    facts_total: int | None = Field(default=None, description="场景卡上的隐藏事实数;导入的记录为 null")
    earned: dict[str, int] | None = Field(
        default=None, description="按 expectation / need / motive / process 计"
    )


class ScorecardOut(BaseModel):
    """The scorecard (CONTRACT §4) with the trainer's adjustments applied, the session and the hidden facts."""

    model_config = ConfigDict(extra="allow")

    mode: str
    scores: dict[str, int] = Field(description="生效分:培训师调整过的维度取最新一次调整,总分随之重算")
    original_scores: dict[str, int] = Field(description="评分器给出的原始分,永不改变")
    adjusted: list[str] = Field(description="培训师调整过的维度")
    outcome: OutcomeOut
    session: dict[str, Any]
    facts: list[dict[str, Any]]
