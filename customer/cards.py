"""Scenario cards (CONTRACT.md §5): the pydantic schema and the loader.

    card = load_card("scenarios/gov-meeting-room.yaml")
    cards = load_scenarios()            # {id: Card}, every *.yaml under scenarios/

A card that does not fit the schema is refused with `CardError`, one line that names the file and the first
field path, e.g. ``scenarios/x.yaml: hidden.needs[0].id: 缺少字段(另有 2 处错误)``; `CardError.problems` and
`card_problems(data)` list every problem at once, `yaml_problem` words a YAML syntax error in Chinese. Everything under `hidden` and `concerns` is secret:
the engine hands a voice only what the rep has earned (see customer/voices/base.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from peilian.errors import Invalid

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"

STAGES: tuple[str, ...] = (
    "未发现问题或机会",
    "发现问题或机会",
    "感受到痛苦或企图心",
    "形成改进目标",
    "明确要求",
    "明确措施",
    "评估方案",
    "评估价值",
    "评估风险",
    "评估成本",
)
CONCERN_LEVELS: tuple[str, ...] = ("犹豫", "疑问", "反对", "不承诺", "争论", "抵触")
LEAD_STATES: tuple[str, ...] = ("问题型", "痛苦型", "商机型", "竞争型", "排斥型")
Element = Literal["time", "people", "action", "benefit"]
ELEMENTS: tuple[Element, ...] = ("time", "people", "action", "benefit")

Score = Annotated[int, Field(ge=0, le=100)]
Text = Annotated[str, Field(min_length=1)]
Words = list[Text]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Persona(_Model):
    """Public: who the customer is. A voice may use all of it."""

    name: Text
    role: Text
    organisation: Text
    temperament: Text
    time_pressure: Literal["高", "中", "低"]
    greeting: Words = []
    catchphrases: Words = []
    # How this customer answers an introduction and small talk (a phone call or a meeting); the engine
    # falls back to customer/phrases.yaml when they are empty.
    intro_reply: Words = []
    small_talk: Words = []


class Reveal(_Model):
    """When a fact may be earned: by a question about `keywords`, at `min_trust`, after the facts in `requires`."""

    keywords: Words = []
    min_trust: Score | None = None
    requires: list[str] = []


class _Fact(_Model):
    """A hidden fact. `topic` names what it is about in a few words (a deflection names it: "设备的事……");
    `surface` are harmless answers on that topic a real customer gives a stranger before he trusts him."""

    id: Annotated[str, Field(pattern=r"^[a-z]\d+$")]
    text: Text
    say: Words = []
    hint: str | None = None
    topic: str = ""
    surface: Words = []
    reveal: Reveal = Reveal()
    if TYPE_CHECKING:  # each kind of fact names its own `kind` values
        kind: str


class Expectation(_Fact):
    kind: Literal["要求", "措施"]


class Need(_Fact):
    kind: Literal["目标", "障碍", "不良影响", "组织利益"]


class Motive(_Fact):
    kind: Literal["痛苦", "企图心"]


class ProcessFact(_Fact):
    kind: Literal["流程", "决策", "竞争", "预算", "时间", "背景"]


class Hidden(_Model):
    expectations: Annotated[list[Expectation], Field(min_length=1)]
    needs: Annotated[list[Need], Field(min_length=1)]
    motives: Annotated[list[Motive], Field(min_length=1)]
    process: list[ProcessFact] = []


class Competitor(_Model):
    name: Text
    position: Text
    note: str = ""


class DecisionInfo(_Model):
    maker: Text
    process: Text
    influencers: Words = []
    budget: str = ""


class Concern(_Model):
    """A 顾虑 that blocks the commitment; `explain` is what the customer says once the rep explores it."""

    id: Annotated[str, Field(pattern=r"^c\d+$")]
    level: Literal["犹豫", "疑问", "反对", "不承诺", "争论", "抵触"]
    text: Text
    say: Words = []
    explain: Words = []
    resolved: Words = []  # what he says once the rep's plan removes it (确认排除)
    keywords: Words = []


class Commitment(_Model):
    """An action commitment the customer could give, with what an ask must carry to win it."""

    action: Text
    say: Words = []
    elements: list[Element] = list(ELEMENTS)
    min_trust: Score = 50
    min_value: Score = 40


class Commitments(_Model):
    highest: Commitment
    lowest: Commitment


class Start(_Model):
    trust: Score | None = None
    patience: Score | None = None
    pressure: Score | None = None
    value: Score | None = None


class Card(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    mode: Literal["appointment", "visit"]
    industry: Text
    product: Text
    background: Text
    goal: Text
    customer: Persona
    stage: Annotated[int, Field(ge=1, le=10)]
    lead_state: Literal["问题型", "痛苦型", "商机型", "竞争型", "排斥型"]
    competitors: list[Competitor] = []
    decision: DecisionInfo
    hidden: Hidden
    concerns: Annotated[list[Concern], Field(min_length=1)]
    commitments: Commitments
    start: Start = Start()
    max_turns: Annotated[int, Field(ge=3, le=80)] | None = None
    difficulty: Literal["easy", "standard", "hard"] = "standard"

    def facts(self) -> list[_Fact]:
        """Every hidden fact, in card order: expectations, needs, motives, process."""
        h = self.hidden
        return [*h.expectations, *h.needs, *h.motives, *h.process]

    def fact(self, fact_id: str) -> _Fact:
        for f in self.facts():
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)

    def category(self, fact_id: str) -> str:
        """expectation / need / motive / process — the exploratory focus that asks about this fact."""
        return {"e": "expectation", "n": "need", "m": "motive", "p": "process"}[fact_id[0]]


class CardError(Invalid):
    """A scenario card that cannot be used; the message is one line naming the file and the field.
    `problems` lists every problem found, each a (field path, Chinese message) pair, in card order."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems: list[tuple[str, str]] = list(problems or [])


_MESSAGES = {
    "missing": "缺少字段",
    "extra_forbidden": "未知字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射(键: 值)",
    "model_type": "应为映射(键: 值)",
    "model_attributes_type": "应为映射(键: 值)",
    "none_required": "应为空",
    "string_too_long": "文本过长",
    "too_long": "项数过多",
}


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(卡片)"


def _quote(value: Any) -> str:
    """A few characters of the value that was refused: an error never echoes a whole card back."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _message(err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " 或 ")
        return f"取值无效({_quote(err.get('input'))}),应为 {expected}"
    if kind in ("too_short", "string_too_short"):
        return "不能为空"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"超出范围({_quote(err.get('input'))})"
    if kind == "string_pattern_mismatch":
        return f"格式不对({_quote(err.get('input'))},应匹配 {ctx.get('pattern', '')})"
    return f"取值无效({kind})"  # pydantic's own wording is English: name the rule instead


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_PREFIX = {"expectations": "e", "needs": "n", "motives": "m", "process": "p"}


def _check(card: Card) -> list[tuple[str, str]]:
    """Cross-field rules the schema cannot express: id prefixes, unique ids, known `requires`. Every
    problem, in card order."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for section, prefix in _PREFIX.items():
        for i, fact in enumerate(getattr(card.hidden, section)):
            where = f"hidden.{section}[{i}].id"
            if not fact.id.startswith(prefix):
                problems.append((where, f"{fact.id} 应以 {prefix} 开头(如 {prefix}1)"))
            elif fact.id in seen:
                problems.append((where, f"重复的 id {fact.id}"))
            seen.add(fact.id)
    for i, concern in enumerate(card.concerns):
        if concern.id in seen:
            problems.append((f"concerns[{i}].id", f"重复的 id {concern.id}"))
        seen.add(concern.id)
    for section in _PREFIX:
        for i, fact in enumerate(getattr(card.hidden, section)):
            for j, req in enumerate(fact.reveal.requires):
                if req not in seen or req == fact.id:
                    problems.append(
                        (f"hidden.{section}[{i}].reveal.requires[{j}]", f"未知的事实 id {_quote(req)[1:-1]}")
                    )
    if not card.customer.greeting:
        problems.append(("customer.greeting", "至少写一句开场白"))
    return problems


def _validate(data: Any) -> tuple[Card | None, list[tuple[str, str]]]:
    if not isinstance(data, dict):
        return None, [("(卡片)", "卡片应为一个映射(键: 值)")]
    try:
        card = Card.model_validate(data)
    except ValidationError as exc:
        return None, [(_loc(err["loc"]), _message(err)) for err in exc.errors()]
    problems = _check(card)
    return (None if problems else card), problems


def card_problems(data: Any) -> list[tuple[str, str]]:
    """Every problem of a card already read from YAML/JSON, as (field path, message); [] when it is valid.
    The schema's problems come first; the cross-field rules run once the schema passes."""
    return _validate(data)[1]


def parse_card(data: Any, source: str = "<card>") -> Card:
    """Validate a card already read from YAML/JSON; raises `CardError` naming `source` and the first field
    (the message counts the others; `CardError.problems` holds them all)."""
    card, problems = _validate(data)
    if card is None:
        where, what = problems[0]
        more = f"(另有 {len(problems) - 1} 处错误)" if len(problems) > 1 else ""
        message = f"{source}: {what}" if where == "(卡片)" else f"{source}: {where}: {what}{more}"
        raise CardError(message, problems)
    return card


# libyaml's and PyYAML's wording of a syntax error → what a trainer reads (never the input itself).
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "这里不能出现「键: 值」(冒号后少了空格、缺引号或缩进不对)"),
    ("could not find expected ':'", "缺少冒号「:」,或上一行的引号没有闭合"),
    ("found character that cannot start any token", "有不能用在开头的字符(如制表符 Tab、@ 或 `)"),
    ("found a tab character", "不能用制表符 Tab 缩进,请用空格"),
    ("did not find expected key", "缩进不对:这一层应是「键: 值」"),
    ("did not find expected '-' indicator", "列表缩进不对:每一项应以「- 」开头并对齐"),
    ("did not find expected node content", "这里缺少内容(可能多了一个逗号或「- 」)"),
    ("did not find expected ',' or ']'", "方括号列表没有闭合,或少了逗号"),
    ("did not find expected ',' or '}'", "花括号映射没有闭合,或少了逗号"),
    ("found unexpected end of stream", "文件意外结束:引号或括号没有闭合"),
    ("found unknown escape character", "引号里有无效的转义字符(反斜杠 \\)"),
    ("found undefined alias", "不允许使用锚点或别名(& 与 *)"),
    ("expected <block end>", "缩进不对:这一行与上面的层级对不上"),
    ("expected a single document", "一张卡片只能有一个文档(去掉多余的 ---)"),
    ("could not determine a constructor", "不支持的 YAML 标签(!! 开头的写法)"),
    ("found duplicate anchor", "不允许使用锚点或别名(& 与 *)"),
    ("while scanning a simple key", "缺少冒号「:」"),
    ("unacceptable character", "含有不允许的控制字符"),
)


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """A YAML syntax error as (line number from 1, or None; the problem in Chinese)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or "")
    if any("\u4e00" <= ch <= "\u9fff" for ch in problem):
        return line, problem  # already ours (anchors and aliases)
    context = str(getattr(exc, "context", None) or "")
    for english, chinese in _YAML_PROBLEMS:
        if english in problem or (not problem and english in context):
            return line, chinese
    return line, "格式有误,请检查这一行的缩进、冒号和引号"


_YAML_LOADER = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml's C loader: the Python one takes ~50 ms a card


def load_yaml(text: str) -> Any:
    """The data of a card's YAML text. Anchors and aliases (`&a`, `*a`) are refused with a `yaml.YAMLError`:
    a few shared references make a 2 KB "alias bomb" that expands to gigabytes when validated or printed, and a
    card never needs them. Only a text with `&` or `*` in it is scanned for them (libyaml's events, ~0.7 ms)."""
    if "&" in text or "*" in text:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise yaml.MarkedYAMLError(
                    problem="不允许使用锚点或别名(& 与 *)",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]  # libyaml's Mark: same fields
                )
    return yaml.load(text, Loader=_YAML_LOADER)


def load_card(path: str | Path) -> Card:
    """Read and validate one YAML card. The card's `id` must equal the file name without `.yaml`."""
    path = Path(path)
    source = _display(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CardError(f"{source}: 无法读取文件({exc.strerror})") from None
    except yaml.YAMLError as exc:
        number, problem = yaml_problem(exc)
        line = f"(第 {number} 行)" if number is not None else ""
        raise CardError(f"{source}: YAML 语法错误{line}: {problem}", [("YAML", problem)]) from None
    card = parse_card(data, source)
    if card.id != path.stem:
        raise CardError(f"{source}: id: {card.id} 与文件名 {path.stem} 不一致")
    return card


def load_scenarios(dir: str | Path | None = None) -> dict[str, Card]:  # noqa: A002 - the agreed API name
    """Every card in `dir` (default: the project's scenarios/), keyed by id, sorted by file name."""
    root = Path(dir) if dir is not None else SCENARIOS_DIR
    cards: dict[str, Card] = {}
    for path in sorted([*root.glob("*.yaml"), *root.glob("*.yml")]):
        card = load_card(path)
        cards[card.id] = card
    return cards


def get_card(card_id: str, directory: str | Path | None = None) -> Card:
    """The card with this id; `CardError` listing the known ids when there is none."""
    root = Path(directory) if directory is not None else SCENARIOS_DIR
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", card_id or ""):
        path = root / f"{card_id}.yaml"
        if path.exists():
            return load_card(path)
    known = ", ".join(sorted(p.stem for p in root.glob("*.yaml")))
    raise CardError(f"未知场景: {card_id}(可用: {known})")
