"""The public page of current penalty disclosures (行政处罚信息公示), in Chinese, readable on a phone.

Plain HTML and CSS, no script: every value is escaped; search by party name or USCC; paging by cursor.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

STYLE = """
body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
background:#f4f5f7;color:#1f2328;line-height:1.6}
header{background:#b3261e;color:#fff;padding:14px 16px}header h1{margin:0;font-size:1.15rem}
header p{margin:2px 0 0;font-size:.85rem;opacity:.9}
main{max-width:760px;margin:0 auto;padding:12px}
form{display:flex;gap:8px;margin:4px 0 12px}input{flex:1;padding:10px;font-size:1rem;border:1px solid #c9ccd1;
border-radius:8px}button{padding:10px 16px;font-size:1rem;border:0;border-radius:8px;background:#b3261e;color:#fff}
article{background:#fff;border-radius:10px;padding:12px 14px;margin-bottom:10px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
article h2{font-size:1rem;margin:0 0 6px}dl{margin:0;display:grid;grid-template-columns:6.5em 1fr;gap:2px 8px;
font-size:.92rem}dt{color:#59636e}dd{margin:0;word-break:break-all}details{margin-top:6px;font-size:.9rem}
.empty{text-align:center;color:#59636e;padding:24px}nav{text-align:center;margin:14px 0}
nav a{color:#b3261e}footer{font-size:.8rem;color:#59636e;text-align:center;padding:16px}
"""


def render(items: list[dict], *, query: str, next_cursor: str | None) -> str:
    cards = "\n".join(_card(item) for item in items) or '<p class="empty">没有符合条件的公示信息。</p>'
    more = ""
    if next_cursor:
        more = f'<nav><a href="?{escape(urlencode({"q": query, "cursor": next_cursor}))}">下一页</a></nav>'
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>行政处罚信息公示 · 揭阳市揭东区市场监督管理局</title><style>{STYLE}</style></head>
<body><header><h1>行政处罚信息公示</h1><p>揭阳市揭东区市场监督管理局</p></header>
<main><form method="get" action=""><input name="q" value="{escape(query)}" placeholder="当事人名称或统一社会信用代码"
aria-label="搜索"><button type="submit">搜索</button></form>
{cards}{more}</main>
<footer>依据《市场监督管理行政处罚信息公示规定》公示；个人信息已依法隐去。</footer></body></html>"""


def _card(item: dict) -> str:
    party = item.get("party", {})
    rows = [("决定书文号", item.get("decision_no")), ("当事人", party.get("name")),
            ("统一社会信用代码", party.get("uscc")), ("违法行为类型", item.get("violation_type")),
            ("处罚内容", item.get("penalty_content")), ("处罚机关", item.get("authority")),
            ("处罚决定日期", item.get("decided_on")), ("公示截止", item.get("shown_until"))]
    body = "".join(f"<dt>{escape(label)}</dt><dd>{escape(str(value))}</dd>" for label, value in rows if value)
    return (f'<article><h2>{escape(str(party.get("name", "")))}</h2><dl>{body}</dl>'
            f'<details><summary>决定书内容</summary><p>{escape(str(item.get("decision_text", "")))}</p>'
            "</details></article>")
