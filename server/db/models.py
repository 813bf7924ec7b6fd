"""The database schema. Works on SQLite and PostgreSQL alike (portable types only; JSON as `JSON`).

Every word of a practice session is a `Message` row with a per-session sequence number (unique), written
before the customer's reply is generated; the engine's state is saved after each turn, so a restarted server
resumes any session where it stopped.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # LMS delivery: an xAPI LRS and/or a signed webhook (secrets never leave the server).
    lrs_endpoint: Mapped[str | None] = mapped_column(String(500))
    lrs_auth: Mapped[str | None] = mapped_column(String(500))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(120), index=True)  # unique per organisation
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # rep | trainer | admin
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # Learners created by an LMS have no password; the LMS names them by its own id.
    external_id: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The rep's team (a name, per organisation): assignments can target a whole team (docs/assignments.md).
    team: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("org_id", "external_id", name="uq_users_org_external"),
        UniqueConstraint("org_id", "username", name="uq_users_org_username"),
    )


class LoginSession(Base):
    """A browser login: the cookie holds a random token, the database only its hash."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiKey(Base):
    """An organisation's key for LMS calls: shown once, stored hashed, revocable."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class ScenarioCard(Base):
    """A scenario card uploaded by a trainer (the built-in ones are read from scenarios/)."""

    __tablename__ = "scenario_cards"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[str] = mapped_column(String(120))
    yaml_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The card editor (0006): each save counts a version; a retired card leaves the picker, not old sessions.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    retired_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("org_id", "card_id", name="uq_scenario_cards_org_card"),)


class CardVersion(Base):
    """The exact card a session was played on, by the hash of its canonical text (content-addressed, 0006):
    the session re-renders and resumes on it after the card is edited or retired."""

    __tablename__ = "card_versions"

    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    card_id: Mapped[str] = mapped_column(String(120), index=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeSession(Base):
    __tablename__ = "practice_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(120), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    voice: Mapped[str] = mapped_column(String(16), default="scripted")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | ended
    engine_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_event_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    overall_score: Mapped[int | None] = mapped_column(Integer, index=True)  # the scorecard's, never changed
    # The effective overall after a trainer's adjustments (services/scores.py); NULL while none was made.
    adjusted_overall: Mapped[int | None] = mapped_column(Integer)
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_via: Mapped[str] = mapped_column(String(16), default="web")  # web | api
    # Started from an assignment (an attempt at it); an exam's hidden facts stay hidden from the rep until a
    # trainer releases them (services/exams.py).
    assignment_id: Mapped[str | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )
    facts_released_at: Mapped[datetime | None]
    # 0006: the card version played (CardVersion.content_hash; NULL before 0006), and a real call's scorecard
    # (a transcript a rep or trainer brought in, scored without a simulated customer).
    card_hash: Mapped[str | None] = mapped_column(String(64))
    real_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped[User] = relationship(lazy="joined")
    messages: Mapped[list[Message]] = relationship(order_by="Message.seq", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_practice_sessions_org_started", "org_id", "started_at"),)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("practice_sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))  # rep | customer
    text: Mapped[str] = mapped_column(Text)
    t: Mapped[float | None] = mapped_column(Float)  # seconds from the session start: began typing / speaking
    end: Mapped[float | None] = mapped_column(Float)  # sent / shown
    revealed: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)  # act, voice used, fallback reason…
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("session_id", "seq", name="uq_messages_session_seq"),)


class Comment(Base):
    """A trainer's comment on one message of a session."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    message_seq: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreAdjustment(Base):
    """A trainer's change to one score, with the reason; the original scorecard is never overwritten."""

    __tablename__ = "score_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(32))
    original: Mapped[int] = mapped_column(Integer)
    adjusted: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxItem(Base):
    """A result to deliver (xAPI statement or webhook); kept until delivered, retried with back-off."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # xapi | webhook
    target: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabelCorrection(Base):
    """A trainer's correction of the dialogue act of one rep message (CONTRACT §1), with the message's text
    as it was and the classifier's label. A later correction of the same message supersedes the earlier one;
    both rows are kept."""

    __tablename__ = "label_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("practice_sessions.id", ondelete="CASCADE"))
    message_seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    act: Mapped[str] = mapped_column(String(16))
    focus: Mapped[str | None] = mapped_column(String(16))
    form: Mapped[str | None] = mapped_column(String(16))
    elements: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the classifier's label at the time
    trainer_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_label_corrections_session_seq", "session_id", "message_seq"),)


class Assignment(Base):
    """A trainer's assignment of one scenario (difficulty, pass mark, deadline) to reps and/or teams; an
    exam (考核) also fixes the seed and limits the attempts (services/assignments.py, services/exams.py)."""

    __tablename__ = "assignments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(120))
    difficulty: Mapped[str] = mapped_column(String(16))  # easy | standard | hard
    pass_mark: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime]
    exam: Mapped[bool] = mapped_column(Boolean, default=False)
    max_attempts: Mapped[int | None] = mapped_column(Integer)  # exams: how many sessions a rep may start
    seed: Mapped[int] = mapped_column(Integer, default=0)  # exams: every attempt hears the same customer
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    targets: Mapped[list[AssignmentTarget]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class AssignmentTarget(Base):
    """Who an assignment is for: one rep (`user_id`) or a whole team (`team`, its members at any time)."""

    __tablename__ = "assignment_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team: Mapped[str | None] = mapped_column(String(120), index=True)


class SharedRateBucket(Base):
    """A token bucket of the shared rate limiter (server/limits): one row per caller key, so that several
    server processes count one caller's requests together. Times are the database's clock (epoch seconds)."""

    __tablename__ = "shared_rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)  # the last request's answer


class SharedLoginFailure(Base):
    """One failed login for the shared login throttle (server/limits), by key ("user:…" or "addr:…")."""

    __tablename__ = "shared_login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float, index=True)

    __table_args__ = (Index("ix_shared_login_failures_key_at", "key", "at"),)
