from __future__ import annotations

import json


def test_search_prints_json_passages(run_cli) -> None:
    result = run_cli("knowledge", "search", "怎么向客户要行动承诺", "--k", "3", "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3 and all(set(h) == {"section", "text", "score"} for h in hits)
    assert all(" / " in h["section"] for h in hits)


def test_search_reads_one_query_per_line_from_stdin(run_cli) -> None:
    result = run_cli("knowledge", "search", "-", "--k", "2", "--json", input="行动承诺\n黄金静默\n")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and len(lines) == 2
    assert all(len(json.loads(line)) == 2 for line in lines)


def test_bad_queries_get_one_line_errors(run_cli) -> None:
    for args, stdin in ((("", "--json"), ""), (("-", "--json"), "好问题\n\n"), (("x", "--k", "0"), "")):
        result = run_cli("knowledge", "search", *args, input=stdin)
        assert result.exit_code == 2
        assert result.stderr.startswith("peilian: 错误:") and result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_build_if_stale_is_a_no_op_on_a_fresh_index(run_cli) -> None:
    assert run_cli("knowledge", "build", "--quiet").exit_code == 0
    result = run_cli("knowledge", "build", "--if-stale")
    assert result.exit_code == 0 and "最新" in result.stderr


def test_plain_output_for_people(run_cli) -> None:
    result = run_cli("knowledge", "search", "顾虑的六个级别", "--k", "1")
    assert result.exit_code == 0 and result.stdout.startswith("1. [")
