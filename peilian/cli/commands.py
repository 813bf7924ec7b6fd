"""The `peilian` command line (CONTRACT.md §2), kept thin over the library.

Each command imports what it needs inside its body, so `peilian classify` and `peilian score` start without
Chroma, LangChain or FastAPI. Bad input ends in one line on stderr (`peilian: 错误:…`) and exit status 2;
an unexpected failure in exit status 1, with the traceback only when PEILIAN_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from peilian.cli.admin import app as admin_app
from peilian.cli.labels import app as labels_app
from peilian.errors import PeilianError, UsageError

app = typer.Typer(
    help="陪练 Peilian:价值型销售的对练伙伴。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
knowledge_app = typer.Typer(help="书的知识库:建索引、检索。", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(admin_app, name="admin")
app.add_typer(labels_app, name="labels")


def fail(message: str) -> NoReturn:
    raise UsageError(message)


def emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


@app.command()
def classify(
    explain: Annotated[
        bool, typer.Option("--explain", help="同时输出判定依据:触发的规则及其说明、识别到的线索")
    ] = False,
) -> None:
    """从标准输入读取 JSON Lines({"id","text"}),每行输出该条销售话术的对话行为。"""
    from peilian.cli.io import read_jsonl

    items = read_jsonl(sys.stdin, required={"text": str})
    from evaluators.classify import classify as classify_text

    for item in items:
        label = classify_text(item["text"])
        line = {"id": item.get("id"), **label.to_dict()}
        if explain:
            from evaluators.reading.explain import explain as explain_label

            line["explain"] = explain_label(item["text"], label)
        emit(line)


@app.command()
def score(
    file: Annotated[str, typer.Argument(help="对话记录文件(JSON 或 销售:/客户: 纯文本),或 - 表示标准输入")],
    mode: Annotated[
        str, typer.Option("--mode", help="appointment 或 visit:纯文本的模式(默认 visit),也覆盖 JSON 的 mode")
    ] = "",
) -> None:
    """为一段对话记录打分,输出评分卡 JSON。"""
    from peilian.cli.io import read_text

    text, where = read_text(file)
    from evaluators.plaintext import read_transcript
    from evaluators.scorecard import score_transcript
    from evaluators.transcript import MODES, TranscriptError, parse_transcript

    if mode and mode not in MODES:
        fail(f"--mode 应为 appointment 或 visit,而不是 {mode!r}")
    try:
        data = read_transcript(text, mode or None)
        parse_transcript(data)
        card = score_transcript(data)
    except TranscriptError as exc:
        fail(f"{where}:{exc}")
    sys.stdout.write(json.dumps(card, ensure_ascii=False, indent=1) + "\n")


@knowledge_app.command("build")
def knowledge_build(
    if_stale: Annotated[bool, typer.Option("--if-stale", help="仅在索引缺失或过期时重建")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """(重新)建立书的检索索引。"""
    from knowledge import make_embedder
    from knowledge.index import build_index, stale_reason
    from peilian.settings import get_settings

    settings = get_settings()
    embedder = make_embedder(settings)
    if if_stale and stale_reason(settings.index_dir, embedder) is None:
        if not quiet:
            typer.echo(f"知识库索引已是最新:{settings.index_dir}", err=True)
        return
    if quiet:
        manifest = build_index(settings.index_dir, embedder)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("建立知识库索引", total=1)
            manifest = build_index(
                settings.index_dir,
                embedder,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        typer.echo(f"已建立索引:{manifest['passages']} 段,{settings.index_dir}", err=True)


@knowledge_app.command("search")
def knowledge_search(
    query: Annotated[str, typer.Argument(help="问题或关键词;- 表示从标准输入每行读一个")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="返回的段落数")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """在书中检索与问题最相关的段落。"""
    from knowledge import open_index
    from knowledge.text import QueryError, clean_query

    queries = sys.stdin.read().splitlines() if query == "-" else [query]
    for n, q in enumerate(queries, start=1):  # every query is checked before any is answered
        try:
            clean_query(q)
        except QueryError as exc:
            fail(f"第 {n} 行:{exc}" if query == "-" else str(exc))
    index = open_index(log=lambda msg: typer.echo(msg, err=True))
    for q in queries:
        hits = [h.to_dict() for h in index.search(q, k)]
        if as_json:
            emit(hits)
        else:
            for rank, hit in enumerate(hits, start=1):
                typer.echo(
                    f"{rank}. [{hit['score']:.3f}] {hit['section']}\n   {hit['text'].replace(chr(10), ' ')}\n"
                )


@knowledge_app.command("import-notes")
def knowledge_import_notes(
    notes: Annotated[Path, typer.Argument(help="书的笔记(纯文本,每行一个节点)")],
    out: Annotated[Path, typer.Option(help="写入的目录")] = Path("knowledge/book"),
) -> None:
    """把扁平的读书笔记拆成每篇一个 Markdown 文件(保留每一行原文)。"""
    from knowledge.split import split_notes

    try:
        text = notes.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"无法读取 {notes}:{exc}")
    out.mkdir(parents=True, exist_ok=True)
    for book_file in split_notes(text):
        (out / book_file.name).write_text(book_file.text, encoding="utf-8")
        typer.echo(book_file.name, err=True)


@app.command()
def chat(
    scenario: Annotated[str, typer.Option("--scenario", help="场景 id")],
    voice: Annotated[str, typer.Option("--voice", help="scripted 或 llm")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="从标准输入读销售的话,逐行输出 JSON")] = False,
    seed: Annotated[int, typer.Option("--seed", help="脚本语音的随机种子")] = 0,
    difficulty: Annotated[
        str, typer.Option("--difficulty", help="客户难度:easy / standard / hard(默认按场景卡)")
    ] = "",
) -> None:
    """与模拟客户对练一次约访或拜访。"""
    from peilian.cli.chat import run_chat

    run_chat(
        scenario=scenario, voice=voice or None, as_json=as_json, seed=seed, difficulty=difficulty or None
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址")] = None,
    port: Annotated[int | None, typer.Option("--port", min=1, max=65535, help="端口")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="服务进程数(大于 1 时需要 PostgreSQL)")
    ] = None,
) -> None:
    """启动网页与 API 服务(默认 http://127.0.0.1:8000)。"""
    import uvicorn

    from peilian.settings import get_settings
    from server.serving import ServeConfigError, check_serving

    settings = get_settings()
    if workers is not None and workers != settings.workers:
        os.environ["PEILIAN_WORKERS"] = str(workers)  # read by every worker process's settings
        get_settings.cache_clear()
        settings = get_settings()
    try:  # configuration errors are reported here, in one line, before the server starts
        check_serving(settings)
    except ServeConfigError as exc:
        fail(str(exc))
    from server.middleware import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        log_level=settings.log_level,
        access_log=False,  # server.middleware.AccessLog writes one JSON line per request instead
        timeout_graceful_shutdown=10,
        timeout_keep_alive=30,  # longer than clients' idle keep-alive, so a reused connection is still open
    )


def one_line(message: str) -> str:
    return " ".join(message.split()) or "请求无效"


def main() -> None:
    """Console entry point: run the app, turning bad input into one line on stderr."""
    from pydantic import ValidationError

    try:
        app(standalone_mode=False, prog_name="peilian")
    except PeilianError as exc:  # every refusal of the hierarchy (UsageError, CardError, …): one line, exit 2
        sys.stderr.write(f"peilian: 错误:{one_line(str(exc))}\n")
        sys.exit(2)
    except ValidationError as exc:  # settings from the environment
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        sys.stderr.write(f"peilian: 配置错误:{where}: {first.get('msg')}\n")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("peilian: 已中断\n")
        sys.exit(130)
    except Exception as exc:  # Typer's own usage errors (bad option values) and anything unexpected
        from typer.exceptions import TyperException

        if isinstance(exc, TyperException) and hasattr(exc, "format_message"):
            sys.stderr.write(f"peilian: 错误:{exc.format_message()}\n")
            sys.exit(getattr(exc, "exit_code", 2))
        if os.environ.get("PEILIAN_DEBUG"):
            raise
        sys.stderr.write(f"peilian: 内部错误:{type(exc).__name__}: {exc}(设置 PEILIAN_DEBUG=1 查看详情)\n")
        sys.exit(1)
