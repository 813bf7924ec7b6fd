"""What the app holds for its lifetime, opened once by the lifespan (see server/app.py)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from peilian.settings import Settings
from server.db.engine import make_sessionmaker
from server.db.migrate import connect, upgrade
from server.db.models import PracticeSession
from server.limits import Limits, RateLimits
from server.lms import OutboxWorker, enqueue_adjustment, enqueue_results
from server.services.login import LoginThrottle, ThrottleLimits
from server.services.practice import Practice, VoiceFactory
from server.services.turnlock import TurnLocks

if TYPE_CHECKING:
    from customer.cards import Card
    from customer.voices.base import Voice
    from knowledge.index import BookIndex
    from server.services.review import Adjusted


def _card_lookup(db: Session, org_id: str, card_id: str) -> Card | None:
    from server.db.models import Organization
    from server.services.scenarios import get_card_for

    org = db.get(Organization, org_id)
    return get_card_for(db, org=org, card_id=card_id, include_retired=True) if org else None


def default_voice_factory(settings: Settings) -> VoiceFactory:
    """`scripted` always; `llm` only when configured (the route checks), falling back to scripted per turn."""
    from customer.voices.scripted import ScriptedVoice

    scripted = ScriptedVoice()

    def make(kind: str) -> Voice:
        if kind == "llm" and settings.llm_configured:
            from customer.voices.llm import llm_voice_from_settings

            return llm_voice_from_settings(settings, fallback=scripted)
        return scripted

    return make


def warm_up() -> None:
    """Load the cards, compile the lexicons and rules once, before the first request: otherwise the
    first burst of requests would all do it at the same time."""
    from customer.engine import Conversation
    from evaluators.classify import classify
    from evaluators.scorecard import score_transcript
    from server.services.scenarios import builtin_cards
    from server.services.security import dummy_password_hash

    dummy_password_hash()  # the first login of an unknown name would otherwise take two hashes
    cards = builtin_cards()
    for text in (
        "您好,我是华声科技的客户经理李明。",
        "您最担心的是什么?",
        "下周二上午我带方案来拜访您和刘科长,好吗?",
    ):
        classify(text)
    if cards:
        conv = Conversation(next(iter(cards.values())), seed=0)
        conv.rep_says("您好,我是华声科技的客户经理李明。")
        score_transcript(conv.transcript())


def request_slots(engine: Engine, threads: int) -> int:
    """How many requests may hold a database session at once (server/deps.get_db): the pool's connections
    less two for each worker thread (a turn's own session and its lock) and a few for background work."""
    pool = engine.pool
    capacity = int(getattr(pool, "size", lambda: 20)()) + max(int(getattr(pool, "_max_overflow", 0)), 0)
    return max(4, capacity - 2 * threads - 4)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessionmaker: sessionmaker[Session]
    rate_limiter: RateLimits
    anonymous_limiter: RateLimits
    login_throttle: LoginThrottle
    practice: Practice
    outbox_worker: OutboxWorker
    limits: Limits | None = None
    db_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(24))
    overrides: dict[str, Any] = field(default_factory=dict)
    _book_index: BookIndex | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, **overrides: Any) -> AppState:
        """Create the data directory, connect and migrate the database; other clients open lazily."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = overrides.pop("engine", None)
        if engine is None:
            engine = connect(settings.sqlalchemy_url)
        else:
            upgrade(engine)
        maker = make_sessionmaker(engine)
        voice_factory = overrides.pop("voice_factory", None) or default_voice_factory(settings)
        worker = OutboxWorker(maker, interval_s=settings.outbox_interval)

        def report_results(db: Session, session: PracticeSession) -> None:
            from server.services import exams

            card = _card_lookup(db, session.org_id, session.scenario_id)
            title = card.title if card else None
            queued = enqueue_results(db, session, base_url=settings.base_url, scenario_title=title)
            # An exam also reports `passed` / `failed` with the pass mark (server/lms/exam.py).
            if exams.report(db, session, base_url=settings.base_url, scenario_title=title) or queued:
                worker.wake()

        practice = Practice(
            sessionmaker=maker,
            voice_factory=voice_factory,
            card_lookup=_card_lookup,
            on_ended=overrides.pop("on_ended", report_results),
            turn_locks=TurnLocks(engine) if engine.dialect.name == "postgresql" else None,
        )
        try:
            limits = Limits.from_settings(settings, engine)
        except Exception:
            engine.dispose()
            raise
        return cls(
            db_slots=asyncio.Semaphore(request_slots(engine, settings.worker_threads)),
            settings=settings,
            engine=engine,
            sessionmaker=maker,
            practice=practice,
            outbox_worker=worker,
            limits=limits,
            rate_limiter=limits.rate_limiter("api", settings.rate_limit_per_minute),
            anonymous_limiter=limits.rate_limiter("anon", settings.anonymous_rate_limit_per_minute),
            login_throttle=LoginThrottle(
                ThrottleLimits(
                    settings.login_max_failures,
                    settings.login_max_failures_per_address,
                    settings.login_window_seconds,
                ),
                counters=limits.failure_window,
            ),
            overrides=overrides,
            _book_index=overrides.get("book_index"),
        )

    def report_adjustment(self, db: Session, adjusted: Adjusted) -> None:
        """A trainer adjusted a score: queue the corrected result for the organisation's LMS (a superseding
        xAPI statement and/or a `scorecard.adjusted` webhook) in the adjustment's own transaction."""
        from server.services import exams
        from server.services.scores import scorecard_view

        session = adjusted.session
        card = _card_lookup(db, session.org_id, session.scenario_id)
        exam_queued = exams.report(
            db,
            session,
            base_url=self.settings.base_url,
            scenario_title=card.title if card else None,
            adjustment=adjusted.adjustment,
        )
        queued = enqueue_adjustment(
            db,
            session,
            adjusted.adjustment,
            author=adjusted.author,
            scorecard=scorecard_view(session.scorecard or {}, adjusted.scores),
            base_url=self.settings.base_url,
            scenario_title=card.title if card else None,
        )
        if queued or exam_queued:
            # Woken once the items are committed: a pass before that would not see them.
            event.listen(db, "after_commit", lambda _db: self.outbox_worker.wake(), once=True)

    @property
    def chat_model(self) -> Any:
        """The chat model for Ask the book, or None without an LLM configured (built once)."""
        if "chat_model" not in self.overrides:
            from peilian.llm import chat_model_from_settings

            self.overrides["chat_model"] = (
                chat_model_from_settings(self.settings, temperature=0.2, max_tokens=600)
                if self.settings.llm_configured
                else None
            )
        return self.overrides["chat_model"]

    @property
    def book_index(self) -> BookIndex:
        """The book index, opened (and built if missing or stale) on first use."""
        with self._lock:
            if self._book_index is None:
                from knowledge import open_index

                self._book_index = open_index(self.settings)
            return self._book_index

    def start(self) -> None:
        """Warm the caches and start the background work (LMS delivery); called by the lifespan."""
        warm_up()
        self.outbox_worker.start()

    async def aclose(self) -> None:
        await self.outbox_worker.stop()
        if self.limits is not None:
            self.limits.close()
        self._book_index = None
        self.engine.dispose()
