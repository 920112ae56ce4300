"""Reading course folders (course.yaml, lessons as Markdown, quiz.yaml) into checked plain data.

Pure Python, no database: ``load_courses(root)`` reads every course under ``root``, checks it
against the rules of courses/content/README.md and either returns the courses or raises
``ContentErrors`` listing every problem as "file:line: what is wrong".
"""

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

LANGUAGES = ("vi", "en")
AUDIENCES = ("resident", "officer", "volunteer")
QUESTION_TYPES = ("single", "multiple", "true_false", "ordering", "walkthrough", "scam_drill")
CHANNELS = ("sms", "call", "zalo", "email", "web")
#: the layout vocabulary of a simulator's mock screen (see courses/content/README.md)
TAPPABLE_KINDS = ("tile", "list", "field", "button", "link", "tab")
STATIC_KINDS = ("bar", "text", "image")
ELEMENT_KINDS = STATIC_KINDS + TAPPABLE_KINDS
#: kinds that take one column unless a span is given; the others fill the rest of their row
NARROW_KINDS = ("tile", "tab")
MAX_COLUMNS = 6
MAX_ROWS = 20
MIN_LESSONS = 4
MIN_QUESTIONS = 10
DEFAULT_PASS_MARK = 80
DEFAULT_QUIZ_SIZE = 8

#: written after a statement in a lesson that awaits confirmation from the official text;
#: learners do not see it, `flask courses check` lists it
CONFIRM_MARKER = "[[confirm]]"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.(vi|en)\.md$")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class ContentError(Exception):
    """One problem in the content: the file, the line (1-based, 0 when unknown) and what."""

    def __init__(self, path, line, message):
        super().__init__(f"{_shown(path)}:{line}: {message}")
        self.path = Path(path)
        self.line = line
        self.message = message


class ContentErrors(Exception):
    """Every problem found in the content; nothing may be imported while there is one."""

    def __init__(self, errors: list[ContentError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _shown(path):
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


@dataclass
class LessonContent:
    position: int
    slug: str
    title: dict[str, str]
    body: dict[str, str]


@dataclass
class QuestionContent:
    key: str
    type: str
    #: the whole question as plain JSON-ready data
    data: dict
    line: int


@dataclass
class CourseContent:
    slug: str
    path: Path
    title: dict[str, str]
    summary: dict[str, str]
    basis: dict[str, str]
    audience: str
    order: int
    minutes: int
    last_checked: date
    pass_mark: int = DEFAULT_PASS_MARK
    quiz_size: int = DEFAULT_QUIZ_SIZE
    lessons: list[LessonContent] = field(default_factory=list)
    questions: list[QuestionContent] = field(default_factory=list)


# --- YAML that remembers where things are --------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping with its own line and the line of each key's value."""

    line = 0
    lines: dict


class _Sequence(list):
    line = 0
    lines: list


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = value_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader, node):
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _plain(value):
    """Strip line bookkeeping, leaving data that JSON can store."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- checking ------------------------------------------------------------------------------------


class _Checker:
    """Collects the problems of one file; each check returns the value or None."""

    def __init__(self, path, errors):
        self.path = path
        self.errors = errors

    def error(self, line, message):
        self.errors.append(ContentError(self.path, line, message))

    def _line(self, mapping, key):
        return mapping.lines.get(key, mapping.line) if isinstance(mapping, _Mapping) else 0

    def mapping(self, value, line, what):
        if not isinstance(value, _Mapping):
            self.error(getattr(value, "line", line), f"{what} must be a mapping")
            return None
        return value

    def require(self, mapping, key, what):
        if key not in mapping or mapping[key] is None:
            self.error(mapping.line, f"{what} has no '{key}'")
            return None
        return mapping[key]

    def text(self, mapping, key, what, required=True):
        """A {vi, en} text with both languages, each a non-empty string."""
        if key not in mapping or mapping[key] is None:
            if required:
                self.error(mapping.line, f"{what} has no '{key}'")
            return None
        value = mapping[key]
        return self.text_value(value, self._line(mapping, key), f"{what}: '{key}'")

    def text_value(self, value, line, what):
        if not isinstance(value, _Mapping):
            self.error(line, f"{what} must give both languages as {{vi: …, en: …}}")
            return None
        ok = True
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.error(value.line, f"{what} has no '{language}' text")
                ok = False
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.error(value.line, f"{what} has unknown languages: {', '.join(map(str, extra))}")
            ok = False
        return {language: value[language].strip() for language in LANGUAGES} if ok else None

    def integer(self, mapping, key, what, low, high, default=None):
        if key not in mapping:
            if default is None:
                self.error(mapping.line, f"{what} has no '{key}'")
            return default
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                self._line(mapping, key), f"'{key}' must be a whole number from {low} to {high}"
            )
            return None
        return value

    def identifier(self, mapping, key, what):
        value = self.require(mapping, key, what)
        if value is None:
            return None
        if not isinstance(value, str) or not ID.match(value):
            self.error(
                self._line(mapping, key),
                f"{what}: '{key}' must be letters, digits, '-' or '_' (got {value!r})",
            )
            return None
        return value


# --- course.yaml ---------------------------------------------------------------------------------


def _read_yaml(path, errors):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(ContentError(path, 0, "file is missing"))
        return None
    except UnicodeDecodeError as exc:
        errors.append(ContentError(path, 0, f"not UTF-8 text: {exc}"))
        return None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        errors.append(ContentError(path, line, f"YAML error: {exc.problem or exc}"))
        return None
    except yaml.YAMLError as exc:
        errors.append(ContentError(path, 0, f"YAML error: {exc}"))
        return None
    if not isinstance(data, _Mapping):
        errors.append(ContentError(path, 1, "the file must be a YAML mapping"))
        return None
    return data


def _load_course_yaml(folder, errors):
    path = folder / "course.yaml"
    data = _read_yaml(path, errors)
    if data is None:
        return None
    check = _Checker(path, errors)
    before = len(errors)
    what = "course.yaml"
    values = {
        "title": check.text(data, "title", what),
        "summary": check.text(data, "summary", what),
        "basis": check.text(data, "basis", what),
        "order": check.integer(data, "order", what, 0, 10_000),
        "minutes": check.integer(data, "minutes", what, 1, 1_000),
        "pass_mark": check.integer(data, "pass_mark", what, 1, 100, DEFAULT_PASS_MARK),
        "quiz_size": check.integer(data, "quiz_size", what, 1, 1_000, DEFAULT_QUIZ_SIZE),
    }
    audience = check.require(data, "audience", what)
    if audience is not None and audience not in AUDIENCES:
        check.error(
            data.lines["audience"],
            f"audience must be one of {', '.join(AUDIENCES)} (got {audience!r})",
        )
    values["audience"] = audience
    last_checked = check.require(data, "last_checked", what)
    if last_checked is not None and not isinstance(last_checked, date):
        check.error(data.lines["last_checked"], "last_checked must be a date like 2026-11-01")
    values["last_checked"] = last_checked
    known = set(values)
    for key in data:
        if key not in known:
            check.error(data.lines[key], f"unknown key '{key}'")
    if len(errors) > before:
        return None
    return CourseContent(slug=folder.name, path=folder, **values)


# --- lessons -------------------------------------------------------------------------------------


def _load_lessons(folder, errors):
    files: dict[tuple[int, str], dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.suffix != ".md":
            continue
        match = LESSON_FILE.match(path.name)
        if not match:
            errors.append(
                ContentError(path, 0, "a lesson file is named NN-<name>.vi.md or NN-<name>.en.md")
            )
            continue
        number, slug, language = match.groups()
        files.setdefault((int(number), slug), {})[language] = path

    lessons = []
    positions: dict[int, str] = {}
    slugs: set[str] = set()
    for (position, slug), by_language in sorted(files.items()):
        first = next(iter(by_language.values()))
        if position in positions:
            errors.append(
                ContentError(
                    first,
                    0,
                    f"two lessons are numbered {position:02d}: {positions[position]} and {slug}",
                )
            )
            continue
        if slug in slugs:
            errors.append(ContentError(first, 0, f"two lessons are named '{slug}'"))
            continue
        positions[position] = slug
        slugs.add(slug)
        title, body, ok = {}, {}, True
        for language in LANGUAGES:
            path = by_language.get(language)
            if path is None:
                other = first.name
                errors.append(
                    ContentError(
                        folder / f"{position:02d}-{slug}.{language}.md",
                        0,
                        f"file is missing: {other} has no '{language}' version",
                    )
                )
                ok = False
                continue
            parsed = _read_lesson(path, errors)
            if parsed is None:
                ok = False
                continue
            title[language], body[language] = parsed
        if ok:
            lessons.append(LessonContent(position=position, slug=slug, title=title, body=body))
    return lessons


def _read_lesson(path, errors):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(path, 0, f"not UTF-8 text: {exc}"))
        return None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        errors.append(ContentError(path, 1, "the first line must be '# Lesson title'"))
        return None
    body = "\n".join(lines[1:]).strip()
    if not body:
        errors.append(ContentError(path, 2, "the lesson is empty after its title"))
        return None
    if re.search(r"<\s*(script|iframe|style)\b", body, re.IGNORECASE):
        line = next(
            n for n, t in enumerate(lines, 1) if re.search(r"<\s*(script|iframe|style)\b", t, re.I)
        )
        errors.append(ContentError(path, line, "lessons contain no raw HTML"))
        return None
    return lines[0][2:].strip(), body + "\n"


# --- quiz.yaml -----------------------------------------------------------------------------------


def _load_quiz(folder, errors):
    path = folder / "quiz.yaml"
    data = _read_yaml(path, errors)
    if data is None:
        return []
    check = _Checker(path, errors)
    items = check.require(data, "questions", "quiz.yaml")
    if items is None:
        return []
    if not isinstance(items, _Sequence):
        check.error(data.lines["questions"], "'questions' must be a list")
        return []
    questions, keys = [], {}
    for index, item in enumerate(items):
        line = items.lines[index]
        item = check.mapping(item, line, f"question {index + 1}")
        if item is None:
            continue
        before = len(errors)
        question = _check_question(check, item, index + 1)
        if question is None or len(errors) > before:
            continue
        if question.key in keys:
            check.error(
                item.line,
                f"question id '{question.key}' is already used on line {keys[question.key]}",
            )
            continue
        keys[question.key] = item.line
        questions.append(question)
    if len(questions) < MIN_QUESTIONS and not any(e.path == path for e in errors):
        check.error(
            data.line,
            f"the bank has {len(questions)} questions; at least {MIN_QUESTIONS} are needed",
        )
    return questions


def _choices(check, item, what, key="choices", label="text", minimum=2):
    """A list of {id, <label>} with unique ids; returns the ids, or None when wrong."""
    choices = check.require(item, key, what)
    if choices is None:
        return None
    if not isinstance(choices, _Sequence) or len(choices) < minimum:
        check.error(item.lines[key], f"{what}: '{key}' must be a list of at least {minimum}")
        return None
    ids, ok = [], True
    for n, choice in enumerate(choices):
        choice = check.mapping(choice, choices.lines[n], f"{what}: {key} {n + 1}")
        if choice is None:
            ok = False
            continue
        choice_id = check.identifier(choice, "id", f"{what}: {key} {n + 1}")
        text = check.text(choice, label, f"{what}: {key} {n + 1}")
        if choice_id is None or text is None:
            ok = False
            continue
        if choice_id in ids:
            check.error(choice.line, f"{what}: {key} id '{choice_id}' appears twice")
            ok = False
        ids.append(choice_id)
    return ids if ok else None


def _check_answer(check, item, what, ids, kind):
    """kind: "one" (an id), "some" (a list of distinct ids), "all" (a permutation of ids)."""
    answer = check.require(item, "answer", what)
    if answer is None or ids is None:
        return
    line = item.lines["answer"]
    if kind == "one":
        if answer not in ids:
            check.error(line, f"{what}: answer {answer!r} is not one of the ids {', '.join(ids)}")
        return
    if not isinstance(answer, list) or not answer:
        check.error(line, f"{what}: answer must be a list of ids")
        return
    unknown = [a for a in answer if a not in ids]
    if unknown:
        names = ", ".join(map(repr, unknown))
        check.error(line, f"{what}: answer names {names}, not among the ids {', '.join(ids)}")
    elif len(set(answer)) != len(answer):
        check.error(line, f"{what}: answer lists an id twice")
    elif kind == "all" and sorted(answer) != sorted(ids):
        missing = ", ".join(i for i in ids if i not in answer)
        check.error(line, f"{what}: answer must put every choice in order; missing {missing}")


def _check_question(check, item, number):
    key = check.identifier(item, "id", f"question {number}")
    what = f"question '{key}'" if key else f"question {number}"
    kind = check.require(item, "type", what)
    if kind is not None and kind not in QUESTION_TYPES:
        check.error(item.lines["type"], f"{what}: type must be one of {', '.join(QUESTION_TYPES)}")
        kind = None
    check.text(item, "prompt", what)
    check.text(item, "explanation", what)
    allowed = {"id", "type", "prompt", "explanation", "answer"}
    if kind in ("single", "multiple", "ordering"):
        allowed.add("choices")
        ids = _choices(check, item, what)
        _check_answer(
            check, item, what, ids, {"single": "one", "multiple": "some", "ordering": "all"}[kind]
        )
    elif kind == "true_false":
        answer = check.require(item, "answer", what)
        if answer is not None and not isinstance(answer, bool):
            check.error(item.lines["answer"], f"{what}: answer must be true or false")
    elif kind == "scam_drill":
        allowed |= {"channel", "message", "red_flags"}
        channel = check.require(item, "channel", what)
        if channel is not None and channel not in CHANNELS:
            check.error(
                item.lines["channel"], f"{what}: channel must be one of {', '.join(CHANNELS)}"
            )
        check.text(item, "message", what)
        answer = check.require(item, "answer", what)
        if answer is not None and answer not in ("scam", "safe"):
            check.error(item.lines["answer"], f"{what}: answer must be scam or safe")
        flags = check.require(item, "red_flags", what)
        if flags is not None:
            if not isinstance(flags, _Sequence) or not flags:
                check.error(item.lines["red_flags"], f"{what}: red_flags must be a non-empty list")
            else:
                for n, flag in enumerate(flags):
                    check.text_value(flag, flags.lines[n], f"{what}: red flag {n + 1}")
    elif kind == "walkthrough":
        allowed = (allowed - {"answer"}) | {"steps", "lesson"}
        _check_steps(check, item, what)
    for extra in set(item) - allowed:
        check.error(item.lines[extra], f"{what}: unknown key '{extra}'")
    if key is None or kind is None:
        return None
    return QuestionContent(key=key, type=kind, data=_plain(item), line=item.line)


def _check_steps(check, item, what):
    steps = check.require(item, "steps", what)
    if steps is None:
        return
    if not isinstance(steps, _Sequence) or not steps:
        check.error(item.lines["steps"], f"{what}: steps must be a non-empty list")
        return
    for n, step in enumerate(steps):
        step_what = f"{what}: step {n + 1}"
        step = check.mapping(step, steps.lines[n], step_what)
        if step is None:
            continue
        check.text(step, "screen", step_what)
        check.text(step, "instruction", step_what)
        check.text(step, "explanation", step_what)
        ids = _choices(check, step, step_what, key="elements", label="label", minimum=2)
        _check_answer(check, step, step_what, ids, "one")
        allowed = {"screen", "instruction", "elements", "answer", "explanation"}
        if ids is not None and _laid_out(step):
            allowed |= {"columns", "hint", "varies"}
            _check_layout(check, step, step_what)
        for extra in set(step) - allowed:
            check.error(step.lines[extra], f"{step_what}: unknown key '{extra}'")


def _laid_out(step):
    """A step is a mock screen when any of its elements says its kind; else plain buttons."""
    return any(isinstance(e, dict) and "kind" in e for e in step["elements"])


def _check_layout(check, step, what):
    """Kinds, rows and columns of a mock screen: inside the grid, no two in one cell."""
    columns = check.integer(step, "columns", what, 1, MAX_COLUMNS, default=1)
    check.text(step, "hint", what)
    check.text(step, "varies", what, required=False)
    taken: dict[tuple[int, int], str] = {}
    elements = step["elements"]
    for n, element in enumerate(elements):
        element_what = f"{what}: element '{element['id']}'"
        line = elements.lines[n]
        kind = element.get("kind")
        if kind not in ELEMENT_KINDS:
            check.error(line, f"{element_what}: kind must be one of {', '.join(ELEMENT_KINDS)}")
            continue
        if element["id"] == step.get("answer") and kind not in TAPPABLE_KINDS:
            check.error(line, f"{element_what}: the answer must be tappable, not a {kind}")
        if "value" in element and not (
            isinstance(element["value"], str) and element["value"].strip()
        ):
            check.text_value(element["value"], line, f"{element_what}: 'value'")
        if "value" in element and kind != "field":
            check.error(line, f"{element_what}: only a field has a 'value'")
        for extra in set(element) - {"id", "label", "kind", "row", "col", "span", "value"}:
            check.error(line, f"{element_what}: unknown key '{extra}'")
        row = check.integer(element, "row", element_what, 1, MAX_ROWS)
        col = check.integer(element, "col", element_what, 1, MAX_COLUMNS, default=1)
        if row is None or col is None or columns is None:
            continue
        if col > columns:
            check.error(line, f"{element_what}: col {col} is outside the {columns} columns")
            continue
        default_span = 1 if kind in NARROW_KINDS else columns - col + 1
        span = check.integer(element, "span", element_what, 1, MAX_COLUMNS, default=default_span)
        if span is None:
            continue
        if col + span - 1 > columns:
            check.error(line, f"{element_what}: spans past column {columns}")
            continue
        for c in range(col, col + span):
            if (row, c) in taken:
                check.error(
                    line,
                    f"{element_what}: row {row}, column {c} is already taken by "
                    f"'{taken[(row, c)]}'",
                )
                break
            taken[(row, c)] = element["id"]


def _check_lesson_link(course, errors):
    """A simulator's `lesson` (a name or a list) names lessons of its course, which link to it."""
    slugs = {lesson.slug for lesson in course.lessons}
    path = course.path / "quiz.yaml"
    for question in course.questions:
        named = question.data.get("lesson")
        if named is None:
            continue
        names = [named] if isinstance(named, str) else named
        if not isinstance(names, list) or not names:
            names = [named]
        for lesson in names:
            if not isinstance(lesson, str) or lesson not in slugs:
                errors.append(
                    ContentError(
                        path,
                        question.line,
                        f"question '{question.key}': lesson {lesson!r} is not a lesson of "
                        f"this course ({', '.join(sorted(slugs))})",
                    )
                )


# --- a course and all courses --------------------------------------------------------------------


def load_course(folder: Path, errors: list[ContentError]) -> CourseContent | None:
    """Read one course folder, appending its problems to errors; None when it has any."""
    folder = Path(folder)
    before = len(errors)
    if not SLUG.match(folder.name):
        errors.append(ContentError(folder, 0, "a course folder is named with a-z, 0-9 and '-'"))
    course = _load_course_yaml(folder, errors)
    lessons = _load_lessons(folder, errors)
    questions = _load_quiz(folder, errors)
    if len(errors) == before and len(lessons) < MIN_LESSONS:
        errors.append(
            ContentError(
                folder,
                0,
                f"the course has {len(lessons)} lessons; at least {MIN_LESSONS} are needed",
            )
        )
    if course is None or len(errors) > before:
        return None
    course.lessons = lessons
    course.questions = questions
    _check_lesson_link(course, errors)
    if len(errors) > before:
        return None
    return course


@dataclass
class Unconfirmed:
    """A lesson's statement marked as needing confirmation from the official text."""

    path: Path
    line: int
    text: str

    def __str__(self):
        return f"{_shown(self.path)}:{self.line}: {self.text}"


def unconfirmed_statements(folder: Path) -> list[Unconfirmed]:
    """Every line of the course's lessons that carries the confirmation marker."""
    found = []
    for path in sorted(Path(folder).glob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CONFIRM_MARKER in line:
                found.append(Unconfirmed(path, number, line.replace(CONFIRM_MARKER, "").strip()))
    return found


def course_folders(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith("."))


def load_courses(root: Path) -> list[CourseContent]:
    """Read and check every course under root; raise ContentErrors listing every problem."""
    errors: list[ContentError] = []
    courses = [load_course(folder, errors) for folder in course_folders(root)]
    if errors:
        raise ContentErrors(errors)
    return courses
