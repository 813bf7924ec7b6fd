"""`peilian admin …`: create the first admin, users and API keys from the shell."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from peilian.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="管理:组织、用户、API 密钥。", no_args_is_help=True)


@contextmanager
def database() -> Iterator[Session]:
    from peilian.settings import get_settings
    from server.db.engine import DatabaseConfigError, make_sessionmaker
    from server.db.migrate import connect

    try:
        engine = connect(get_settings().sqlalchemy_url)
    except DatabaseConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        with make_sessionmaker(engine)() as db:
            yield db
            db.commit()
    finally:
        engine.dispose()


def _org(db: Session, slug: str):  # noqa: ANN202 - returns an Organization
    from server.services import accounts

    org = accounts.get_organization(db, slug=slug)
    if org is None:
        raise UsageError(f"组织 {slug} 不存在(先运行 peilian admin create-org)")
    return org


def _checked(call):  # noqa: ANN001, ANN202 - turns AccountError into a one-line CLI error
    from server.services.accounts import AccountError

    try:
        return call()
    except AccountError as exc:
        raise UsageError(str(exc)) from None


@app.command("create-org")
def create_org(
    slug: Annotated[str, typer.Argument(help="组织标识,如 acme")],
    name: Annotated[str, typer.Option(help="组织名称")] = "",
) -> None:
    """新建组织。"""
    from server.services import accounts

    with database() as db:
        org = _checked(lambda: accounts.create_organization(db, name=name or slug, slug=slug))
        typer.echo(f"已创建组织 {org.slug}({org.name})")


@app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="用户名")],
    org: Annotated[str, typer.Option(help="组织标识")],
    role: Annotated[str, typer.Option(help="rep / trainer / admin")] = "rep",
    name: Annotated[str, typer.Option(help="显示名")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="密码(至少 8 位)")
    ] = "",
) -> None:
    """新建用户(第一个管理员也用它创建)。"""
    from server.services import accounts

    with database() as db:
        organization = _org(db, org)
        user = _checked(
            lambda: accounts.create_user(
                db, org=organization, username=username, role=role, password=password, display_name=name
            )
        )
        typer.echo(f"已创建用户 {user.username}(角色 {user.role},组织 {organization.slug})")


@app.command("create-api-key")
def create_api_key(
    org: Annotated[str, typer.Option(help="组织标识")],
    name: Annotated[str, typer.Option(help="用途,如 Moodle")] = "LMS",
) -> None:
    """为组织新建 API 密钥;密钥只显示这一次。"""
    from server.services import accounts

    with database() as db:
        new = accounts.create_api_key(db, org=_org(db, org), name=name)
        typer.echo(f"API 密钥(只显示这一次,请保存):{new.secret}")
        typer.echo(f"密钥 id:{new.key.id}", err=True)


@app.command("revoke-api-key")
def revoke_api_key(
    key_id: Annotated[str, typer.Argument(help="密钥 id")], org: Annotated[str, typer.Option(help="组织标识")]
) -> None:
    """吊销一个 API 密钥。"""
    from server.services import accounts

    with database() as db:
        organization = _org(db, org)
        _checked(lambda: accounts.revoke_api_key(db, org=organization, key_id=key_id))
        typer.echo(f"已吊销 {key_id}")


@app.command("set-lms")
def set_lms(
    org: Annotated[str, typer.Option(help="组织标识")],
    lrs_endpoint: Annotated[str | None, typer.Option(help="xAPI LRS 地址(空字符串清除)")] = None,
    lrs_auth: Annotated[str | None, typer.Option(help="LRS 的 Authorization 头")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="webhook 地址(空字符串清除)")] = None,
    webhook_secret: Annotated[str | None, typer.Option(help="webhook 签名密钥")] = None,
) -> None:
    """设置组织的成绩投递:xAPI LRS 与/或签名 webhook(见 docs/lms.md)。"""
    from server.services import accounts

    with database() as db:
        organization = _org(db, org)
        _checked(
            lambda: accounts.configure_lms(
                organization,
                lrs_endpoint=lrs_endpoint,
                lrs_auth=lrs_auth,
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
            )
        )
        typer.echo(
            f"已更新 {organization.slug}:LRS={organization.lrs_endpoint or '无'},"
            f"webhook={organization.webhook_url or '无'}"
        )


@app.command("demo")
def demo() -> None:
    """创建演示组织与三个演示账号(已存在则跳过),并打印登录方式。"""
    from server.services.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo

    with database() as db:
        _checked(lambda: ensure_demo(db))
    typer.echo(f"演示账号(密码均为 {DEMO_PASSWORD}):")
    for username, display, role in DEMO_USERS:
        typer.echo(f"  {username:<13} {display}({role})")
