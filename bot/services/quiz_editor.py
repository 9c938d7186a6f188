"""The quiz editor: a draft per modal, saved in one transaction onto a resource or one of a
course's sections. Only the workspace's own content takes a quiz (a quiz on the shared
library would reach every workspace), and only a curator edits one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import BotError, NotAllowed, NotFound
from bot.services import quiz_draft as qd
from bot.services.audit import Subject, record
from bot.services.builder_ops import Draft, DraftRefused
from bot.services.catalog import require_curator
from bot.services.course_structure import outline, recount
from bot.services.members import Caller
from bot.services.quiz_bank import detach, quiz_on, spec_of, write_quiz
from models import AuditAction as Act
from models import BuilderDraft, QuizAttempt, TrainingResource
from models.enums import ResourceType
from models.quiz_rules import QuizSpec, quiz_problems

KIND = "quiz"


@dataclass(frozen=True)
class SectionChoice:
    id: int
    title: str


@dataclass(frozen=True)
class QuizDraftView:
    id: int
    resource_id: int
    title: str  # the resource (and section) the quiz is on
    sections: tuple[SectionChoice, ...]  # a course's sections: the quiz goes on one of them
    section_id: int | None
    data: dict[str, Any]
    exists: bool  # a quiz is stored there already
    taken: int  # attempts submitted so far
    notice: str = ""


@dataclass(frozen=True)
class QuizSaved:
    title: str
    questions: int
    problems: tuple[str, ...] = ()


class QuizEditorService:
    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock, default_tz: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._tz = default_tz

    def start(
        self, *, caller: Caller, resource_id: int, section_id: int | None = None
    ) -> QuizDraftView:
        """A draft of the quiz on this resource (a course: on this or its first section)."""
        require_curator(caller)
        now = self._clock.now()
        with self._sessions.begin() as s:
            row = _own(s, caller, resource_id)
            sections = _sections(s, row)
            if sections and section_id not in {sec.id for sec in sections}:
                section_id = sections[0].id
            quiz = quiz_on(s, section_id=section_id) if sections else quiz_on(s, resource_id=row.id)
            data = qd.quiz_draft(spec_of(s, quiz) if quiz else None, section_id)
            draft = BuilderDraft(workspace_id=caller.workspace_id, member_id=caller.member_id,
                                 kind=KIND, resource_id=row.id, data=data, created_at=now,
                                 updated_at=now)  # fmt: skip
            s.add(draft)
            s.flush()
            return _view(s, caller, draft)

    def view(self, *, caller: Caller, draft_id: int, notice: str = "") -> QuizDraftView:
        with self._sessions.begin() as s:
            return _view(s, caller, _draft(s, caller, draft_id), notice)

    def change(
        self,
        *,
        caller: Caller,
        draft_id: int,
        edit: Callable[[Draft], object],
        settings: dict[str, Any] | None = None,
    ) -> QuizDraftView:
        """One change to the draft (the settings as typed are kept with it)."""
        require_curator(caller)
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            data = json.loads(json.dumps(draft.data))
            if settings is not None:
                data["settings"] = settings
            try:
                edit(data)
            except DraftRefused as refused:
                return _view(s, caller, draft, str(refused))
            draft.data, draft.updated_at = data, self._clock.now()
            return _view(s, caller, draft)

    def retarget(self, *, caller: Caller, draft_id: int, section_id: int) -> QuizDraftView:
        """Another section of the course: its quiz as stored (what was typed is dropped)."""
        require_curator(caller)
        with self._sessions.begin() as s:
            draft = _draft(s, caller, draft_id)
            assert draft.resource_id is not None
            if section_id not in {
                sec.id for sec in _sections(s, _own(s, caller, draft.resource_id))
            }:
                raise NotFound("That section is no longer part of the course.")
            quiz = quiz_on(s, section_id=section_id)
            draft.data = qd.quiz_draft(spec_of(s, quiz) if quiz else None, section_id)
            draft.updated_at = self._clock.now()
            return _view(s, caller, draft)

    def save(self, *, caller: Caller, draft_id: int, settings: dict[str, Any]) -> QuizSaved:
        """Check the whole quiz and store it where the draft points; problems say why not.
        A section's quiz changes what its course counts: its learners are recounted."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            draft, view = self._target(s, caller, draft_id)
            spec = qd.spec_of_draft(draft.data, settings)
            problems = quiz_problems(spec)
            if problems:
                return QuizSaved(view.title, len(spec.questions), tuple(problems))
            was = (quiz_on(s, section_id=view.section_id) if view.section_id
                   else quiz_on(s, resource_id=view.resource_id))  # fmt: skip
            record(s, caller, Act.QUIZ_CHANGED, _about(view), at=now,
                   before=_facts(spec_of(s, was)) if was else None, after=_facts(spec))  # fmt: skip
            if view.section_id:
                write_quiz(s, spec, now, section_id=view.section_id)
                recount(s, view.resource_id, now, self._tz)
            else:
                write_quiz(s, spec, now, resource_id=view.resource_id)
            s.delete(draft)
            return QuizSaved(view.title, len(spec.questions))

    def remove(self, *, caller: Caller, draft_id: int) -> QuizSaved:
        """Take the quiz off (its attempts stay in people's history); a section's course is
        recounted (learners who had all else done complete)."""
        now = self._clock.now()
        with self._sessions.begin() as s:
            draft, view = self._target(s, caller, draft_id)
            quiz = (quiz_on(s, section_id=view.section_id) if view.section_id
                    else quiz_on(s, resource_id=view.resource_id))  # fmt: skip
            if quiz is None:
                raise BotError("There is no quiz here to remove.")
            record(s, caller, Act.QUIZ_REMOVED, _about(view), at=now,
                   before=_facts(spec_of(s, quiz)))  # fmt: skip
            detach(s, quiz, now)
            s.flush()
            if view.section_id:
                recount(s, view.resource_id, now, self._tz)
            s.delete(draft)
            return QuizSaved(view.title, 0)

    def _target(
        self, s: Session, caller: Caller, draft_id: int
    ) -> tuple[BuilderDraft, QuizDraftView]:
        """The draft and where it points, checked again: the section may be gone."""
        require_curator(caller)
        draft = _draft(s, caller, draft_id)
        view = _view(s, caller, draft)
        if view.section_id and view.section_id not in {sec.id for sec in view.sections}:
            raise BotError("That section is no longer part of the course: open the quiz again.")
        if view.sections and not view.section_id:
            raise BotError("Choose the section the quiz goes on.")
        return draft, view


def _about(view: QuizDraftView) -> Subject:
    return Subject("quiz", view.resource_id, view.title)  # the title names the section too


def _facts(spec: QuizSpec) -> dict[str, Any]:
    """A quiz as the audit log shows it: its settings, and each question with its choices
    (the right ones marked `*`, as the editor writes them) and explanation: any edit shows."""
    questions = [f"{q.text} [" + " | ".join(("*" if n in q.correct else "") + choice
                 for n, choice in enumerate(q.choices)) + ("] " + q.explanation).rstrip()
                 for q in spec.questions]  # fmt: skip
    return {"question_count": len(spec.questions), "pass_mark": spec.pass_mark,
            "attempts": spec.attempts, "retry_after_minutes": spec.retry_after_minutes,
            "draw": spec.draw, "shuffle": spec.shuffle, "questions": questions}  # fmt: skip


def _own(s: Session, caller: Caller, resource_id: int) -> TrainingResource:
    row = s.get(TrainingResource, resource_id)
    if row is None or row.workspace_id not in (None, caller.workspace_id):
        raise NotFound("That resource no longer exists.")
    if row.workspace_id != caller.workspace_id:
        raise NotAllowed("Quizzes go on your workspace's own content, not the shared library.")
    if row.type == ResourceType.PATH.value:
        raise BotError("A path is tested by its steps: put a quiz on a step's resource.")
    return row


def _sections(s: Session, row: TrainingResource) -> tuple[SectionChoice, ...]:
    if row.type != ResourceType.COURSE.value:
        return ()
    return tuple(SectionChoice(sec.id, sec.title) for sec in outline(s, row.id).sections)


def _draft(s: Session, caller: Caller, draft_id: int) -> BuilderDraft:
    draft = s.get(BuilderDraft, draft_id)
    if draft is None or draft.workspace_id != caller.workspace_id or draft.kind != KIND:
        raise NotFound("This quiz editor has expired: open it again from Manage content.")
    if draft.member_id != caller.member_id:
        raise NotAllowed("Someone else is editing this quiz.")
    return draft


def _view(s: Session, caller: Caller, draft: BuilderDraft, notice: str = "") -> QuizDraftView:
    assert draft.resource_id is not None
    row = _own(s, caller, draft.resource_id)
    sections = _sections(s, row)
    section_id = draft.data.get("section")
    title = row.title
    quiz = quiz_on(s, section_id=section_id) if section_id else quiz_on(s, resource_id=row.id)
    if section_id:
        title += ": " + next((sec.title for sec in sections if sec.id == section_id), "?")
    taken = 0
    if quiz is not None:
        q = QuizAttempt
        taken = s.scalar(select(func.count()).where(q.quiz_id == quiz.id,
                                                    q.submitted_at.is_not(None))) or 0  # fmt: skip
    return QuizDraftView(draft.id, row.id, title, sections, section_id, draft.data,
                         quiz is not None, taken, notice)  # fmt: skip
