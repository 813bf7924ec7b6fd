"""`peilian labels …`: the trainers' corrections of dialogue-act labels (see docs/labels.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from peilian.errors import UsageError

app = typer.Typer(help="培训师更正的对话行为标签:导出为回归测试用的 JSON Lines。", no_args_is_help=True)


@app.command("export")
def export(
    org: Annotated[str | None, typer.Option("--org", help="组织标识;不给则导出所有组织")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="写入的文件;不给则输出到标准输出")] = None,
) -> None:
    """导出培训师更正的标签(JSON Lines,每条被更正的消息一行,以最新一次更正为准)。

    每行 {"id","text","act","focus","form","elements","source","corrected_at"};见 docs/labels.md。
    """
    from peilian.cli.admin import database
    from server.services import accounts, labels

    with database() as db:
        org_id = None
        if org is not None:
            organization = accounts.get_organization(db, slug=org)
            if organization is None:
                raise UsageError(f"组织 {org} 不存在")
            org_id = organization.id
        lines = labels.export_lines(db, org_id=org_id)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"无法写入 {out}:{exc.strerror or exc}") from None
    typer.echo(f"已导出 {len(lines)} 条标签更正到 {out}", err=True)
