"""Every command, action_id, block_id and callback_id, defined once.

Templates receive these enums as `ids`; handlers register listeners with them.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    LIBRARY = "/library"
    TRAINING = "/training"
    ASSIGN = "/assign"
    PROGRESS = "/progress"


class Callback(StrEnum):
    LIBRARY = "library"
    CONTENT = "content"
    NOTICE = "notice"
    ASSIGN = "assign"
    ASSIGN_SHORTCUT = "assign_training"  # the global shortcut "Assign training"
    MANAGE = "manage"
    MANAGE_CHANGE = "manage_change"
    REMINDER_POLICY = "reminder_policy"
    DIGEST = "digest"
    PROGRESS = "progress"
    COURSE_OUTLINE = "course_outline"  # a learner's course, every item, in pages
    COURSE_BUILDER = "course_builder"  # New course / Edit: fields and sections
    COURSE_SECTION = "course_section"  # one section's items (pushed over the builder)
    PATH_BUILDER = "path_builder"  # New path / Edit: fields and steps
    PATH_MANAGE = "path_manage"  # who is on a path, with pause / resume / cancel
    QUIZ = "quiz"  # a page of an attempt: submit is Next, and on the last page Submit
    QUIZ_RESULT = "quiz_result"  # the score, shown in place of the last page
    QUIZ_EDITOR = "quiz_editor"  # a manager's quiz: settings and questions
    QUIZ_QUESTION = "quiz_question"  # one question's form, in place of the editor


class Action(StrEnum):
    LIBRARY_SEARCH = "library.search"
    LIBRARY_FILTER_TYPE = "library.filter.type"
    LIBRARY_FILTER_DOMAIN = "library.filter.domain"
    LIBRARY_FILTER_ACCESS = "library.filter.access"
    LIBRARY_FILTER_LEVEL = "library.filter.level"
    LIBRARY_FILTER_STATUS = "library.filter.status"
    LIBRARY_CLEAR = "library.clear"
    LIBRARY_FOR_ME = "library.for_me"
    LIBRARY_PREVIOUS = "library.previous"
    LIBRARY_NEXT = "library.next"
    LIBRARY_OPEN = "library.open"
    LIBRARY_REMOVE = "library.remove"
    LIBRARY_RESTORE = "library.restore"
    LIBRARY_ASSIGN = "library.assign"
    CONTENT_ADD = "content.add"
    CONTENT_EDIT = "content.edit"
    ASSIGN_RESOURCE = "assign.resource"
    ASSIGN_GROUPS = "assign.groups"
    ASSIGNMENT_START = "assignment.start"
    ASSIGNMENT_PROGRESS = "assignment.progress"  # + ".25" / ".50" / ".75": one id per button
    ASSIGNMENT_COMPLETE = "assignment.complete"
    COURSE_OPEN = "course.open"  # value: the assignment id
    COURSE_PAGE = "course.page"  # the outline modal, another page
    COURSE_ITEM_DONE = "course.item.done"  # value: "<assignment id>:<item resource id>"
    COURSE_ITEM_UNDO = "course.item.undo"
    COURSE_NEW = "course.new"
    QUIZ_TAKE = "quiz.take"  # value: "<assignment id>:<quiz id>"
    QUIZ_BACK = "quiz.back"  # the page before (what was picked here is kept)
    QUIZ_EDIT = "quiz.edit"  # Manage content: value the resource's id
    QUIZ_SECTION = "quiz.section"  # the editor of a course's quiz: which section it is on
    QUIZ_ADD_QUESTION = "quiz.question.add"
    QUIZ_QUESTION = "quiz.question"  # overflow per question: "edit|up|down|remove:<key>"
    QUIZ_QUESTION_CANCEL = "quiz.question.cancel"  # back to the editor, nothing changed
    QUIZ_REMOVE = "quiz.remove"  # take the quiz off (its attempts are kept)
    PATH_NEW = "path.new"
    PATH_MANAGE = "path.manage"  # value: the path's id
    PATH_ROW = "path.row"  # overflow per person: "pause|active|cancelled:<enrollment>"
    PATH_PAUSE_ALL = "path.pause_all"  # for everyone on the path (value: the new status)
    PATH_RESUME_ALL = "path.resume_all"
    PATH_CANCEL_ALL = "path.cancel_all"
    BUILDER_SECTION = "builder.section"  # overflow: "edit|up|down|remove:<section key>"
    BUILDER_ADD_SECTION = "builder.section.add"
    BUILDER_ITEM = "builder.item"  # overflow: "up|down|optional|remove:<section key>:<resource>"
    BUILDER_PICK_ITEM = "builder.item.pick"  # typeahead: choosing adds the item
    BUILDER_ADD_LINK = "builder.link.add"
    BUILDER_STEP = "builder.step"  # overflow: "up|down|remove:<step key>"
    BUILDER_PICK_STEP = "builder.step.pick"  # typeahead: choosing adds the step
    MANAGE_OPEN = "manage.open"
    MANAGE_FIND = "manage.find"
    MANAGE_ROW = "manage.row"  # overflow per person: "due|reassign|cancel:<assignment>:<user>"
    MANAGE_DUE_ALL = "manage.due_all"
    MANAGE_CANCEL_ALL = "manage.cancel_all"
    REMINDER_SNOOZE_DAY = "reminder.snooze.day"
    REMINDER_SNOOZE_MONDAY = "reminder.snooze.monday"
    DIGEST_NEW = "digest.new"
    DIGEST_EDIT = "digest.edit"
    DIGEST_UNSUBSCRIBE = "digest.unsubscribe"
    PROGRESS_EXPORT = "progress.export"
    PROGRESS_CHART = "progress.chart"
    PROGRESS_FULL = "progress.full"  # the whole report in a modal
    PROGRESS_PAGE = "progress.page"  # its rows, another page
    AUDIT_OLDER = "audit.older"  # value: the id of the last entry shown
    AUDIT_NEWER = "audit.newer"  # value: the id of the first entry shown
    AUDIT_EXPORT = "audit.export"
    HOME_TAB_LEARNING = "home.tab.learning"
    HOME_TAB_TEAM = "home.tab.team"
    HOME_TAB_BROWSE = "home.tab.browse"
    HOME_TAB_CONTENT = "home.tab.content"
    TEAM_FILTER_DOMAIN = "team.filter.domain"
    TEAM_FILTER_TYPE = "team.filter.type"
    TEAM_FILTER_CLEAR = "team.filter.clear"
    TEAM_SUGGESTION_ASSIGN = "team.suggestion.assign"
    HOME_BROWSE = "home.browse"
    HOME_ASSIGN = "home.assign"
    HOME_COMPLETION_DMS = "home.completion_dms"
    HOME_HELP = "home.help"
    RECOMMENDATION_DISMISS = "recommendation.dismiss"  # "Not for me"; value: the resource id


class Block(StrEnum):
    """block_ids of modal inputs: validation errors are keyed by these."""

    SEARCH = "search"
    FILTERS = "filters"
    PAGER = "pager"
    TITLE = "title"
    DESCRIPTION = "description"
    TYPE = "type"
    ACCESS = "access"
    URL = "url"
    FILE = "file"
    THUMBNAIL = "thumbnail"
    PARTNER = "partner"
    STATUS = "status"
    DOMAINS = "domains"
    DIFFICULTY = "difficulty"
    SKILLS = "skills"
    DURATION = "duration"
    RESOURCE = "resource"
    PEOPLE = "people"
    GROUPS = "groups"
    CHANNELS = "channels"
    DUE = "due"
    START = "start"  # a path's start date
    KEEP = "keep"  # a path: also enroll who joins the groups and channels later
    ROLE = "role"  # a path's role
    PATH_DUE = "path_due"  # a path's "by day N"
    NEW_SECTION = "new_section"  # + ":<n>": a fresh id clears it once the section is added
    SECTION_TITLE = "section_title"
    PICK = "pick"  # + ":<n>": the builders' typeahead, cleared the same way
    LINK_TITLE = "link_title"
    LINK_URL = "link_url"
    LINK_TYPE = "link_type"
    STEP_DAYS = "step_days"  # + ":<step key>"
    APPLY = "apply"  # a path edit: apply it to the people on the path now
    PRIORITY = "priority"
    NOTE = "note"
    REASSIGN_TO = "reassign_to"
    DAYS_BEFORE = "days_before"
    ON_DUE_DATE = "on_due_date"
    OVERDUE_EVERY = "overdue_every"
    OVERDUE_TIMES = "overdue_times"
    HOUR = "hour"
    WEEKDAYS_ONLY = "weekdays_only"
    DIGEST_CHANNEL = "digest_channel"
    DIGEST_SCOPE = "digest_scope"
    DIGEST_GROUP = "digest_group"
    WEEKDAY = "weekday"
    TIMEZONE = "timezone"
    QUESTION = "question"  # + ":<n>": question n of an attempt
    QUIZ_SECTION = "quiz_section"
    PASS_MARK = "pass_mark"
    ATTEMPTS = "attempts"
    RETRY_AFTER = "retry_after"
    DRAW = "draw"
    SHUFFLE = "shuffle"
    QUESTION_TEXT = "question_text"
    QUESTION_KIND = "question_kind"
    QUESTION_CHOICES = "question_choices"
    QUESTION_EXPLANATION = "question_explanation"


# Inside an input block the element's action_id only has to be unique per block.
INPUT = "value"
