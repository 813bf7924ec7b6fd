"""Request bodies of the assignment, exam and team routes (server/api/routes/assignments.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from server.api.schemas import LearnerIn, Strict


class AssignmentIn(Strict):
    scenario_id: str = Field(min_length=1, max_length=120, examples=["gov-meeting-room"])
    difficulty: Literal["easy", "standard", "hard"] = "standard"
    pass_mark: int = Field(default=60, ge=0, le=100, description="及格线:生效总分(含培训师调整)达到即通过")
    deadline: str = Field(
        max_length=40,
        description="截止时间,ISO 8601 且带时区,如 2026-12-31T18:00:00+08:00",
        examples=["2026-12-31T18:00:00+08:00"],
    )
    exam: bool = Field(
        default=False, description="考核:固定种子、不显示教练标签、限定次数、隐藏信息待培训师公布"
    )
    max_attempts: int | None = Field(
        default=None, ge=1, le=20, description="允许的次数(考核不填为 1;练习不填为不限)"
    )
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="考核的固定种子;不填随机生成")
    reps: list[str] = Field(default_factory=list, max_length=500, description="销售的用户名")
    teams: list[str] = Field(default_factory=list, max_length=50, description="团队名称(当前及以后的成员)")
    learners: list[LearnerIn] = Field(
        default_factory=list, max_length=500, description="仅 API 密钥:LMS 中学员的 id(没有则创建)"
    )
    note: str = Field(default="", max_length=500, description="给销售的说明")

    @field_validator("deadline")
    @classmethod
    def _aware(cls, value: str) -> str:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("截止时间格式应为 ISO 8601,如 2026-12-31T18:00:00+08:00") from None
        if moment.tzinfo is None:
            raise ValueError("截止时间需要带时区,如 2026-12-31T18:00:00+08:00")
        return value

    def deadline_at(self) -> datetime:
        return datetime.fromisoformat(self.deadline.replace("Z", "+00:00"))


class AttemptIn(Strict):
    learner: LearnerIn | None = Field(default=None, description="仅 API 密钥:替哪位学员开始")


class TeamMemberIn(Strict):
    username: str = Field(min_length=1, max_length=120, examples=["zhang.wei"])
    team: str | None = Field(default=None, max_length=60, description="团队名称;null 或空表示移出团队")
