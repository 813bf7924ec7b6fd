"""Ask the book without an LLM: the best passages with the sentences that answer the question highlighted."""

from __future__ import annotations

import httpx

QUESTION = "客户回答完我要憋几秒再接话"
ANSWER = "客户回答阶段:客户回答完毕后不要立刻接话,憋4秒"


async def test_the_book_page_marks_the_answering_sentences(client: httpx.AsyncClient) -> None:
    page = await client.get("/book", params={"q": QUESTION})
    assert page.status_code == 200
    assert f"<mark>{ANSWER}</mark>" in page.text
    assert page.text.count("<mark>") <= 2 * 5  # at most two sentences a passage


async def test_the_ask_api_sends_the_segments_the_panel_marks(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/knowledge/ask", params={"q": QUESTION, "k": 3})).json()
    assert body["answer"] is None and body["rewritten"] is None
    top = body["passages"][0]
    assert "".join(s["text"] for s in top["segments"]) == top["text"]
    assert [s["text"].strip() for s in top["segments"] if s["mark"]] == [ANSWER]


def test_marked_sentences_are_escaped_like_any_text() -> None:
    from web.pages.common import env

    hostile = {
        "section": "<b>篇</b>",
        "text": "<script>x</script>\n<img src=x>",
        "segments": [{"text": "<script>x</script>\n", "mark": True}, {"text": "<img src=x>", "mark": False}],
    }
    html = env.get_template("_hits.html").render(hits=[hostile], q="x", error=None)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "<mark>&lt;script&gt;x&lt;/script&gt;</mark> · &lt;img src=x&gt;" in html


def test_hits_without_segments_still_render_their_text() -> None:
    from web.pages.common import env

    html = env.get_template("_hits.html").render(
        hits=[{"section": "篇", "text": "一\n二"}], q="x", error=None
    )
    assert "一 · 二" in html and "<mark>" not in html
