"""Practice sessions: start, rep messages, silences, end — every word stored, the engine saved each turn.

A turn runs in a worker thread (the database and the engine are synchronous): the rep's message is
committed first, then the customer engine decides and the voice speaks — its chunks are handed to
`on_chunk` as they come, for streaming — and the reply is committed together with the engine's new state.
If the server dies in between, the stored rep message has no reply yet; the next time the session is
touched, `_answer_pending` replays it, so the session resumes where it stopped.

Turns of one session are serialised by a lock per session in this process and, on PostgreSQL, by an
advisory lock across processes (services/turnlock.py), so any number of workers may serve one session; the
unique (session, seq) constraint guards the rest.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from customer.cards import Card
from customer.engine import Conversation, Reply
from customer.voices.base import Voice, VoiceInput
from evaluators.classify import classify
from peilian.errors import Conflict, Family, Invalid, NotFound
from server.db.models import Message, PracticeSession, User, utcnow
from server.services import scenarios, timing
from server.services.turnlock import TurnLocks

ChunkSink = Callable[[str], None]
VoiceFactory = Callable[[str], Voice]
MAX_TEXT_CHARS = 2000


class PracticeError(Family, ValueError):
    """A request that cannot be carried out on this session (Invalid, NotFound or Conflict)."""

    code = "practice_error"


@dataclass(frozen=True)
class TurnResult:
    rep: Message | None
    reply: Message | None
    revealed: list[str]
    state: dict[str, Any]
    ended: bool


class _Tee:
    """A voice that passes each chunk on as it is spoken (for streaming) and returns the whole text."""

    def __init__(self, voice: Voice, sink: ChunkSink | None) -> None:
        self.voice, self.sink = voice, sink
        self.meta: dict[str, Any] = {}

    def speak(self, data: VoiceInput) -> str:
        parts = []
        for chunk in self.voice.stream(data):
            parts.append(chunk)
            if self.sink:
                self.sink(chunk)
        from customer.voices.factory import voice_meta

        self.meta = dict(voice_meta(self.voice))  # which voice spoke, and why it fell back if it did
        return "".join(parts)

    def stream(self, data: VoiceInput) -> Iterator[str]:
        yield self.speak(data)


class Practice:
    """The practice-session service the API routes call (held by the app state)."""

    def __init__(
        self,
        *,
        sessionmaker: sessionmaker[Session],
        voice_factory: VoiceFactory,
        card_lookup: Callable[[Session, str, str], Card | None],
        on_ended: Callable[[Session, PracticeSession], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
        turn_locks: TurnLocks | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.turn_locks = turn_locks
        self.on_ended = on_ended
        self.voice_factory = voice_factory
        self.card_lookup = card_lookup
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    def _local_lock(self, session_id: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = threading.Lock()
                self._locks[session_id] = lock
            return lock

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        """The session's turn lock: this process's first (waiters hold no connection), then the shared one."""
        with self._local_lock(session_id):
            if self.turn_locks is None:
                yield
                return
            with self.turn_locks.hold(session_id):
                yield

    # -- start ------------------------------------------------------------------------------------------
    def start(
        self,
        db: Session,
        *,
        user: User,
        card: Card,
        voice: str,
        seed: int,
        via: str,
        difficulty: str | None = None,
        assignment_id: str | None = None,
    ) -> PracticeSession:
        now = self.clock()
        conv = Conversation(card, seed=seed, voice=self.voice_factory(voice), difficulty=difficulty)
        session = PracticeSession(
            org_id=user.org_id,
            user_id=user.id,
            scenario_id=card.id,
            mode=card.mode,
            voice=voice,
            seed=seed,
            started_at=now,
            last_event_at=now,
            created_via=via,
            assignment_id=assignment_id,
            card_hash=scenarios.remember_version(db, card),  # the card as played, kept for later edits
        )
        db.add(session)
        db.flush()
        opening = conv.opening
        db.add(
            Message(
                session_id=session.id,
                seq=0,
                speaker="customer",
                text=opening.text,
                t=0.0,
                end=0.0,
                revealed=[],
                meta={"move": opening.decision.move},
            )
        )
        session.engine_state = self._saved(conv, processed=0)
        db.commit()
        db.refresh(session)
        return session

    # -- turns ------------------------------------------------------------------------------------------
    def rep_message(
        self,
        session_id: str,
        *,
        text: str,
        typing_started_at: float | None,
        sent_at: float | None,
        client_now: float | None = None,
        on_chunk: ChunkSink | None = None,
        on_stored: Callable[[Message], None] | None = None,
    ) -> TurnResult:
        text = (text or "").strip()
        if not text:
            raise PracticeError.kind(Invalid)("消息不能为空", code="empty_message")
        if len(text) > MAX_TEXT_CHARS:
            raise PracticeError.kind(Invalid)(
                f"消息过长:{len(text)} 字,最多 {MAX_TEXT_CHARS} 字", code="message_too_long"
            )
        with self.lock(session_id), self.sessionmaker() as db:
            session = self._active(db, session_id)
            self._answer_pending(db, session)
            now = self.clock()
            messages = list(session.messages)
            try:
                stamp = timing.rep_stamp(
                    started_at=session.started_at,
                    now=now,
                    previous_t=messages[-1].t if messages else None,
                    typing_started_at=typing_started_at,
                    sent_at=sent_at,
                    client_now=client_now,
                )
            except timing.TimingError as exc:
                raise PracticeError.kind(Invalid)(str(exc), code="invalid_times") from None
            rep = Message(
                session_id=session.id,
                seq=len(messages),
                speaker="rep",
                text=text,
                t=stamp.t,
                end=stamp.end,
                revealed=[],
                meta=classify(text).to_dict(),
            )
            db.add(rep)
            session.last_event_at = now
            db.commit()  # stored before the reply is generated
            if on_stored:
                on_stored(rep)
            last_customer_end = next((m.end for m in reversed(messages) if m.speaker == "customer"), None)
            after = None if last_customer_end is None else max(0.0, stamp.t - last_customer_end)
            result = self._reply(db, session, lambda conv: conv.rep_says(text, after=after), on_chunk, rep)
            return result

    def silence(
        self,
        session_id: str,
        *,
        seconds: float,
        on_chunk: ChunkSink | None = None,
        on_checked: Callable[[None], None] | None = None,
    ) -> TurnResult:
        with self.lock(session_id), self.sessionmaker() as db:
            session = self._active(db, session_id)
            self._answer_pending(db, session)
            messages = list(session.messages)
            try:
                seconds = timing.check_silence(
                    seconds=seconds,
                    started_at=session.started_at,
                    now=self.clock(),
                    last_end=messages[-1].end if messages else None,
                )
            except timing.TimingError as exc:
                raise PracticeError.kind(Invalid)(str(exc), code="invalid_silence") from None
            if on_checked:
                on_checked(None)
            return self._reply(db, session, lambda conv: conv.rep_silent(seconds), on_chunk, None)

    def end(self, session_id: str, *, reason: str = "rep_ended") -> PracticeSession:
        with self.lock(session_id), self.sessionmaker() as db:
            session = self._get(db, session_id)
            if session.status == "ended":
                return session
            self._answer_pending(db, session)
            self._finish(db, session, reason)
            db.commit()
            db.refresh(session)
            return session

    def budget(self, db: Session, session: PracticeSession) -> dict[str, Any] | None:
        """The call's budget, read-only from the engine (None without a card): `turn` so far and `max_turns`
        (the customer ends the call when `turn` reaches it), and `drain`, the patience one rep message costs,
        so that a page can also tell when his patience (`state.patience` of every reply) will run out first:
        after about ceil(patience / drain) more messages."""
        card = self.card_lookup(db, session.org_id, session.scenario_id)
        saved = (session.engine_state or {}).get("conversation")
        if card is None or not saved:
            return None
        try:
            conv = Conversation.from_dict(saved, card=card)
        except ValueError:  # an old format or another card: no budget to show
            return None
        limit = card.max_turns or int(conv.numbers(f"turn.max_turns.{card.mode}"))
        return {
            "turn": int(conv.state.turn),
            "max_turns": int(limit),
            "patience": round(conv.state.patience),
            "drain": conv.numbers.drain(card.mode, card.customer.time_pressure),
        }

    # -- internals --------------------------------------------------------------------------------------
    def _get(self, db: Session, session_id: str) -> PracticeSession:
        session = db.get(PracticeSession, session_id)
        if session is None:
            raise PracticeError.kind(NotFound)(f"会话 {session_id} 不存在", code="not_found")
        return session

    def _active(self, db: Session, session_id: str) -> PracticeSession:
        session = self._get(db, session_id)
        if session.status != "active":
            raise PracticeError.kind(Conflict)("这次对练已经结束,不能再发消息", code="session_ended")
        return session

    def _card(self, db: Session, session: PracticeSession) -> Card | None:
        """The version the session was started on; older sessions (no recorded version) the card now."""
        if session.card_hash and (card := scenarios.card_of_version(db, session.card_hash)) is not None:
            return card
        return self.card_lookup(db, session.org_id, session.scenario_id)

    def _conversation(self, db: Session, session: PracticeSession, voice: Voice) -> Conversation:
        card = self._card(db, session)
        if card is None:
            raise PracticeError.kind(Conflict)(
                f"场景 {session.scenario_id} 已不存在,无法继续", code="scenario_gone"
            )
        return Conversation.from_dict(session.engine_state["conversation"], card=card, voice=voice)

    def _outcome(self, db: Session, session: PracticeSession) -> dict[str, Any] | None:
        """How the call ended, from the engine's saved state (None when the card is gone: judged from text)."""
        card = self._card(db, session)
        saved = (session.engine_state or {}).get("conversation")
        if card is None or not saved:
            return None
        return Conversation.from_dict(saved, card=card).outcome()

    def _saved(self, conv: Conversation, *, processed: int) -> dict[str, Any]:
        return {
            "conversation": conv.to_dict(),
            "public": conv.state.public(),
            "processed": processed,
            "earned": list(conv.state.earned),
        }

    def _reply(
        self,
        db: Session,
        session: PracticeSession,
        act: Callable[[Conversation], Reply | None],
        on_chunk: ChunkSink | None,
        rep: Message | None,
    ) -> TurnResult:
        tee = _Tee(self.voice_factory(session.voice), on_chunk)
        conv = self._conversation(db, session, tee)
        start = timing.elapsed(session.started_at, self.clock())
        reply = act(conv)
        end = timing.elapsed(session.started_at, self.clock())
        seq = (
            db.scalar(select(func.count()).select_from(Message).where(Message.session_id == session.id)) or 0
        )
        stored = None
        if reply is not None and reply.text:
            stored = Message(
                session_id=session.id,
                seq=seq,
                speaker="customer",
                text=reply.text,
                t=round(start, 3),
                end=round(max(end, start), 3),
                revealed=list(reply.revealed),
                meta={"move": reply.decision.move, "reason": reply.decision.reason, **tee.meta},
            )
            db.add(stored)
            seq += 1
        session.engine_state = self._saved(conv, processed=seq)
        session.last_event_at = self.clock()
        if conv.state.ended:
            self._finish(db, session, conv.state.outcome or "customer_ended")
        db.commit()
        return TurnResult(
            rep, stored, list(reply.revealed) if reply else [], conv.state.public(), conv.state.ended
        )

    def _answer_pending(self, db: Session, session: PracticeSession) -> None:
        """After a crash: a stored rep message the engine never answered is answered now."""
        messages = list(session.messages)
        processed = int((session.engine_state or {}).get("processed", len(messages)))
        pending = [m for m in messages[processed:] if m.speaker == "rep"]
        for rep in pending:
            last_end = next((m.end for m in reversed(messages[: rep.seq]) if m.speaker == "customer"), None)
            after = None if last_end is None or rep.t is None else max(0.0, rep.t - last_end)
            self._reply(db, session, lambda conv, r=rep, a=after: conv.rep_says(r.text, after=a), None, rep)
            db.refresh(session)

    def _finish(self, db: Session, session: PracticeSession, reason: str) -> None:
        from evaluators.scorecard import score_transcript
        from server.services.views import transcript_of

        db.flush()
        db.refresh(session)
        scorecard = None
        if any(m.speaker == "rep" for m in session.messages):
            scorecard = score_transcript(transcript_of(session), outcome=self._outcome(db, session))
        session.status = "ended"
        session.ended_at = self.clock()
        session.end_reason = reason
        session.scorecard = scorecard
        session.overall_score = scorecard["scores"]["overall"] if scorecard else None
        if self.on_ended:
            self.on_ended(db, session)  # e.g. queue the LMS results, in this same transaction
