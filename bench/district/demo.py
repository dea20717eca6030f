"""One district day against a running platform (`make up`), told case by case and event by event.

    make demo                     # or: .venv/bin/python -m bench.district.demo [--base-port 8001]

Registers a dozen entities from the synthetic register, draws a random inspection, then walks one
case of each kind (a fine on the spot, a complaint not filed, ordinary cases, a late payment, a
person's case, major decisions with legal review, one returned once, a hearing, transfers to the
police accepted and declined, an IP referral, an inspection finding) through the public API, while a
plain-pika subscriber (another department's view) records every event. Then prints each case's trail
of events, the coverage figures and the invariants. Not a set-up command: the platform must be up.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

import pika

from bench.district import invariants
from bench.district.client import Api
from bench.district.recorder import EXCHANGES
from bench.district.scenario import MIX, District
from shared.config import DEFAULT_AMQP_URI

LABELS = {
    "entity.registered": "设立登记", "clue.received": "线索登记", "case.opened": "立案", "case.not_opened": "不予立案",
    "decision.proposed": "拟作出处罚决定", "review.cleared": "法制审核：非重大，放行", "review.opened": "法制审核：重大，开始审核",
    "review.approved": "法制审核：同意", "review.returned": "法制审核：退回", "case.pre_notified": "事先告知",
    "hearing.requested": "申请听证", "penalty.decided": "处罚决定", "disclosure.published": "行政处罚信息公示",
    "penalty.paid": "缴纳罚款", "case.closed": "结案", "case.transferred_to_judiciary": "移送公安机关",
    "judiciary.receipt_recorded": "公安机关回复", "entity.credit_updated": "信用记录更新",
    "infringement.reported": "侵权举报（评估）", "infringement.referred": "举报移送办案", "inspection.drawn": "双随机抽取",
    "inspection.result_recorded": "抽查结果公示", "deadline.overdue": "期限届满提醒",
}


def describe(event: dict) -> str:
    data = event["data"]
    label = LABELS.get(event["type"], event["type"])
    if event["type"] == "penalty.decided":
        penalty = data["penalty"]
        return f"{label} {data['decision_no']}：罚款 {penalty.get('fine_amount_yuan', 0):,.0f} 元"
    if event["type"] == "decision.proposed":
        return f"{label}（罚款 {data['penalty'].get('fine_amount_yuan', 0):,.0f} 元，内容哈希 {data['proposal_hash'][:10]}…）"
    if event["type"] in ("review.opened", "review.approved"):
        return f"{label}（{'、'.join(data.get('grounds', [])) or '—'}）"
    if event["type"] == "penalty.paid":
        return f"{label} {data['fine_yuan']:,.0f} 元" + (f"，加处罚款 {data['surcharge_yuan']:,.0f} 元"
                                                       if data.get("surcharge_yuan") else "")
    if event["type"] == "case.transferred_to_judiciary":
        return f"{label}（{data.get('rule')}，{data.get('receiving_organ')}）"
    if event["type"] == "judiciary.receipt_recorded":
        return f"{label}：{ {'accepted': '立案侦查', 'declined': '不予立案', 'received': '已接收'}.get(data.get('decision'), data.get('decision')) }"
    if event["type"] == "disclosure.published":
        return f"{label}（公示期限 {data['due_by']} 前，已按时公示）"
    if event["type"] == "infringement.reported":
        return f"{label}：{'、'.join(data['findings'])}"
    if event["type"] == "entity.credit_updated":
        return f"{label}：{data['entry']['kind']}，信用风险 {data['credit_risk']}"
    return label


class Listener:
    """Another department's subscriber: an exclusive queue bound to the four exchanges."""

    def __init__(self, uri: str):
        self.events: list[dict] = []
        self.connection = pika.BlockingConnection(pika.URLParameters(uri))
        self.channel = self.connection.channel()
        self.queue = f"demo-{uuid.uuid4().hex[:8]}"
        self.channel.queue_declare(self.queue, exclusive=True, auto_delete=True)
        for exchange in EXCHANGES:
            self.channel.exchange_declare(exchange, passive=True)
            self.channel.queue_bind(self.queue, exchange, "#")
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for method, _props, body in self.channel.consume(self.queue, inactivity_timeout=0.2):
            if self._stop.is_set():
                break
            if method is None:
                continue
            event = json.loads(body)
            event["received_at"] = time.time()
            self.events.append(event)
            self.channel.basic_ack(method.delivery_tag)
        self.connection.close()

    def stop(self, settle: float = 2.0) -> list[dict]:
        time.sleep(settle)
        self._stop.set()
        self.thread.join(10)
        return self.events


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.district.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--base-port", type=int, default=8001, help="registration's port; the others follow")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--amqp", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    args = parser.parse_args(argv)
    names = ("registration", "enforcement", "ip_protection", "legal_review")
    urls = {name: f"http://{args.host}:{args.base_port + n}" for n, name in enumerate(names)}
    api = Api(urls, patience=60)
    try:
        for name in names:
            api.get(name, "/health", None)
        listener = Listener(args.amqp)
    except Exception as exc:  # noqa: BLE001 - a clear message instead of a traceback
        print(f"The platform is not up ({exc}). Start it with `make up` in another terminal.", file=sys.stderr)
        return 2
    district = District(api, seed=random.randrange(10**6), entities=12)
    print("揭东区市场监督管理局 · 一天的工作 (one district day)\n")
    district.register_entities()
    print(f"登记市场主体 {len(district.subjects)} 户（统一社会信用代码已校验）")
    district.prepare_inspections(2)
    print(f"双随机抽查：抽取 {len(district.inspection_targets)} 户，每户 2 名检查人员\n")
    for kind in MIX:
        district.run_one(kind)
    events = listener.stop()
    log = Path(f"/tmp/demo-{uuid.uuid4().hex[:6]}.jsonl")
    log.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events))
    by_flow: dict[str, list[dict]] = {}
    for event in events:
        by_flow.setdefault(event["correlationid"], []).append(event)
    for flow in district.flows:
        subject = flow.subject.get("name", "")
        status = "✗ " + flow.error[:120] if flow.error else "✓"
        print(f"■ {flow.kind:<18} {flow.case_no or flow.clue_id or '-':<18} {subject}  {status}")
        trail = sorted(by_flow.get(flow.correlation, []), key=lambda e: e["time"])
        start = trail[0]["received_at"] if trail else 0
        for event in trail:
            print(f"    +{event['received_at'] - start:6.2f}s  {event['source'].split('/')[-1]:<13} {describe(event)}")
    coverage = api.get("legal_review", "/coverage", district.staff.operator)
    print("\n法制审核与公示 (legal_review /coverage):")
    print(f"  处罚决定 {coverage['decisions_seen']}，重大 {coverage['major']}，决定前审核 {coverage['reviewed_before_decision']}"
          f"（审核率 {coverage['review_ratio']:.0%}），绕过审核 {coverage['bypasses']}；"
          f"公示 {coverage['disclosures_published']}，按时 {coverage['disclosures_published_on_time']}"
          f"（{coverage['disclosure_on_time_ratio']:.0%}）")
    report = invariants.check([f.as_dict() for f in district.flows], log, api, district.staff, whole_platform=False)
    print("\n不变量 (invariants, from the public API and the subscriber's log):")
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
