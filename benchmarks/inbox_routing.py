"""Inbox routing throughput: how many conversations per second the router (inbox/routing.py,
its rules' queries indexed by the stream matcher) routes with 200 rules, against the naive
baseline in the same run, on one core: each rule's parsed query evaluated alone on every
conversation (`query.evaluate.matches`, as tests/inbox/test_routing.py checks), the same
route then assembled from the rules found.

The conversations are the airline tweets, each the first message of a conversation, as the
inbox takes it in: a `store.inbox.Message` (its text, author, the data set's sentiment, English)
read into the document the rules see (`inbox.intake.message_document`), with the complaint
reason the data set gives and a follower count seeded per author (the CSV has none).

The rules are generated, seeded, the way a customer-care team writes them, in French and
English: OR-lists of a topic's words, prefixes and phrases (luggage, refunds, bookings, delays,
staff, loyalty, the website, the phone line, the press...), topics minus noise (`AND NOT`),
`sentiment:`, `lang:`, `reason:` and `followers:` segments, urgent words on a negative message;
each sets a department, a priority, tags or an assignee, now and then with `stop = true`.

Both give the same route to every conversation of the baseline's sample: the script stops with
an error if they do not. Run it with `make bench`. It reports, it does not judge: the exit
status is 0 whatever the figures (1 only when the two disagree)."""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from enrichment_throughput import one_core
from import_throughput import find_data, machine, print_machine
from rumeur.inbox.intake import message_document
from rumeur.inbox.routing import Route, Router
from rumeur.query.document import Document
from rumeur.query.evaluate import matches
from rumeur.query.parser import parse
from rumeur.settings.inbox import OwnedAccount, RoutingRule
from rumeur.store.inbox import Message

SEED = 20261205
RULES = 200
NAIVE_BUDGET = 1_000_000  # rule evaluations for the naive run: beyond it, a sample
PLATFORMS = ("mastodon", "bluesky", "reddit")
ACCOUNT = OwnedAccount(
    platform="mastodon", handle="laposte", source="piaille", department="service-client"
)


# What a customer-care team routes on: each topic's words in English and French (prefixes
# with `*`, phrases in quotes), the department it goes to, and its tag.
def _topic(department: str, tag: str, words: str) -> tuple[str, str, list[str]]:
    return department, tag, [w.strip() for w in words.split("|")]


TOPICS: dict[str, tuple[str, str, list[str]]] = {
    "bagages": _topic("bagages", "luggage", 'bag | bags | baggage | luggage | suitcase* | '
        '"lost bag" | "baggage claim" | bagage* | valise* | "bagage perdu" | carousel | stroller'),
    "remboursement": _topic("remboursements", "refund", 'refund* | reimburs* | voucher* | '
        'compensation | "credit card" | charged | rembours* | indemnisation | "bon d’achat" | '
        "fee* | frais"),
    "reservation": _topic("reservations", "booking", 'booking | booked | reservation* | rebook* '
        '| itinerary | "change my flight" | réservation* | billet* | ticket* | seat* | siège* | '
        "upgrade*"),
    "retard": _topic("operations", "delay", 'delay* | late | "late flight" | cancel* | canceled '
        '| cancelled | diverted | retard* | annul* | "missed connection" | stuck | stranded | '
        "tarmac"),
    "personnel": _topic("qualite", "staff", 'crew | attendant* | "flight attendant" | pilot* | '
        'agent* | staff | rude | personnel | hôtesse* | steward* | "gate agent" | employee*'),
    "fidelite": _topic("fidelite", "loyalty", 'miles | points | "frequent flyer" | status | '
        'rewards | mileageplus | aadvantage | fidélité | "carte de fidélité" | elite | premier'),
    "site": _topic("digital", "web", 'website | app | online | "check in" | checkin | wifi | '
        'site | login | error | appli* | "en ligne" | internet | kiosk'),
    "telephone": _topic("service-client", "phone", 'hold | "on hold" | phone | call* | '
        '"customer service" | "call back" | hung | téléphone | appel* | attente | hotline | dm | '
        "reply"),
    "presse": _topic("communication", "press", 'journalist* | reporter* | press | media | '
        'interview | journaliste* | presse | "for a story" | article'),
    "merci": _topic("service-client", "thanks", "thanks | thank | great | awesome | love | "
        "amazing | merci | bravo | super | best | appreciate*"),
    "urgent": _topic("service-client", "urgent", "urgent | emergency | asap | immediately | "
        "urgence | help | please | now | sick | medical | disabled | wheelchair"),
    "juridique": _topic("juridique", "legal", "lawyer* | sue | lawsuit | legal | avocat* | "
        "plainte* | complaint* | dot | illegal | discrimination | réclamation*"),
}  # fmt: skip
REASONS = [
    '"lost luggage"', '"late flight"', '"cancelled flight"', '"customer service issue"',
    '"flight booking problems"', '"flight attendant complaints"', '"damaged luggage"',
    '"bad flight"', "longlines",
]  # fmt: skip
ADVISERS = ["camille", "lucas", "ines", "hugo", "lea", "nathan"]


@dataclass
class Conversation:
    message: Message
    reason: str | None
    followers: int

    def document(self) -> Document:
        fields: dict[str, object] = {"followers": self.followers}
        if self.reason:
            fields["reason"] = self.reason
        return message_document(self.message, **fields)


def read_conversations(path: Path, limit: int | None) -> list[Conversation]:
    """The airline tweets with a text, each id once, shuffled (seeded: a naive sample is a
    fair one), each the first message of a conversation."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["text"].strip()]
    rows = list({row["tweet_id"]: row for row in rows}.values())
    random.Random(SEED).shuffle(rows)
    if limit is not None:
        rows = (rows * (limit // len(rows) + 1))[:limit]
    talks = []
    for i, row in enumerate(rows):
        message = Message(
            platform=PLATFORMS[i % len(PLATFORMS)],
            native_id=f"{row['tweet_id']}-{i}",
            author=row["name"],
            text=row["text"],
            at=datetime.fromisoformat(row["tweet_created"]),
            sentiment=row["airline_sentiment"] or None,
            language="en",
        )
        reason = row["negativereason"] if row["negativereason"] not in ("", "Can't Tell") else None
        followers = random.Random(zlib.crc32(row["name"].encode())).choice(
            [12, 150, 800, 3_000, 25_000, 120_000]
        )
        talks.append(Conversation(message, reason, followers))
    return talks


class RuleMaker:
    """Seeded routing rules, the way a customer-care team writes them."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def words(self, topic: str, low: int = 2, high: int = 6) -> str:
        pool = TOPICS[topic][2]
        picked = self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))
        return picked[0] if len(picked) == 1 else "(" + " OR ".join(picked) + ")"

    def topic(self) -> str:
        return self.rng.choice(list(TOPICS))

    def query(self) -> tuple[str, str]:
        """A query and the topic it is about."""
        rng = self.rng
        topic = self.topic()
        roll = rng.random()
        if roll < 0.30:  # a topic's words
            return self.words(topic, 3, 8), topic
        if roll < 0.45:  # a topic, minus the thanks or the press
            noise = rng.choice([t for t in ("merci", "presse", "fidelite") if t != topic])
            return f"{self.words(topic)} AND NOT {self.words(noise, 1, 3)}", topic
        if roll < 0.60:  # an angry customer about a topic
            mood = rng.choice(["sentiment:negative", "(sentiment:negative OR emotion:anger)"])
            return f"{mood} AND {self.words(topic)}", topic
        if roll < 0.70:  # one language's customers
            lang = rng.choice(["en", "fr", "fr", "es"])
            return f"lang:{lang} AND {self.words(topic, 1, 4)}", topic
        if roll < 0.78:  # a complaint's reason, as the model gives it
            reasons = rng.sample(REASONS, rng.randint(1, 2))
            return " OR ".join(f"reason:{r}" for r in reasons), topic
        if roll < 0.85:  # a large account
            reach = rng.choice([10_000, 50_000, 100_000])
            return f"followers:>{reach} AND {self.words(topic, 1, 4)}", topic
        if roll < 0.93:  # urgent words on a negative message
            return f"sentiment:negative AND {self.words('urgent', 2, 5)}", "urgent"
        # two topics at once
        other = self.topic()
        return f"{self.words(topic, 1, 4)} AND {self.words(other, 1, 4)}", topic

    def rules(self, count: int) -> list[RoutingRule]:
        rng = self.rng
        made = []
        for i in range(count):
            query, topic = self.query()
            department, tag, _words = TOPICS[topic]
            sets: dict[str, object] = {"name": f"r{i:03d}-{topic}", "query": query}
            if rng.random() < 0.6:
                sets["department"] = department
            if topic in ("urgent", "juridique") or rng.random() < 0.2:
                sets["priority"] = rng.choice(["high", "urgent"] if topic == "urgent" else
                                              ["low", "high", "urgent"])  # fmt: skip
            if rng.random() < 0.5 or len(sets) == 2:
                sets["tags"] = [tag] if rng.random() < 0.7 else [tag, topic]
            if rng.random() < 0.08:
                sets["assignee"] = rng.choice(ADVISERS)
            if rng.random() < 0.03:
                sets["stop"] = True
            made.append(RoutingRule.model_validate(sets))
        return made


class NaiveRouter(Router):
    """The baseline: the same route, from each rule's parsed query evaluated alone."""

    def __init__(self, rules: Sequence[RoutingRule]) -> None:
        super().__init__(rules)
        self.nodes = [(rule, parse(rule.query).root) for rule in self.rules]

    def matching(self, doc: Document) -> list[RoutingRule]:
        return [rule for rule, node in self.nodes if matches(node, doc)]


@dataclass
class Measure:
    name: str
    conversations: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.conversations / self.seconds


def timed(name: str, count: int, run: Callable[[], object]) -> Measure:
    start = time.perf_counter()
    run()
    return Measure(name, count, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=RULES, help="routing rules")
    parser.add_argument("--conversations", type=int, help="conversations (default: the set)")
    parser.add_argument("--naive-budget", type=int, default=NAIVE_BUDGET)
    parser.add_argument("--data", type=Path, help="the airline CSV (default: RUMEUR_DATA's)")
    parser.add_argument("--no-pin", action="store_true", help="leave the process on every core")
    args = parser.parse_args(argv)
    pinned = "not pinned (--no-pin)" if args.no_pin else one_core()
    talks = read_conversations(args.data or find_data(), args.conversations)
    rules = RuleMaker().rules(args.rules)
    start = time.perf_counter()
    router = Router(rules)
    build_s = time.perf_counter() - start
    naive = NaiveRouter(rules)
    sample = talks[: max(50, min(len(talks), args.naive_budget // max(1, len(rules))))]

    for talk in talks[:200]:  # warm up: folded words and wildcard patterns cached
        naive.route(talk.document(), ACCOUNT)
    # Each message read into its document in the timed run, as intake does.
    naive_routes: list[Route] = []
    base = timed(
        "each rule's query alone (baseline)",
        len(sample),
        lambda: naive_routes.extend(naive.route(t.document(), ACCOUNT) for t in sample),
    )
    routes: list[Route] = []
    indexed = timed(
        "Router (rules indexed)",
        len(talks),
        lambda: routes.extend(router.route(t.document(), ACCOUNT) for t in talks),
    )

    disagree = [i for i, (a, b) in enumerate(zip(routes, naive_routes, strict=False)) if a != b]
    if disagree:
        i = disagree[0]
        print(
            f"inbox_routing: the router and the baseline disagree on {len(disagree)} of "
            f"{len(sample):,} conversations; the first: {talks[i].message.text!r}: "
            f"{routes[i].matched} != {naive_routes[i].matched}",
            file=sys.stderr,
        )
        return 1

    print(
        f"inbox routing of {len(talks):,} conversations (airline tweets as first messages) "
        f"with {len(rules)} rules, {pinned}"
    )
    print(
        "conv/s: conversations routed per second (the message's document, the matching, the "
        "route's assembly);\n"
        "baseline: every rule's query evaluated alone on each conversation, measured on "
        f"{len(sample):,} of them (the rate is per conversation, so it extrapolates)"
    )
    width = max(len(m.name) for m in (base, indexed))
    print(f"\n{'':<{width}}  {'conv/s':>9}  {'vs baseline':>11}")
    for m in (base, indexed):
        print(f"{m.name:<{width}}  {m.rate:>9,.0f}  {m.rate / base.rate:>10.1f}x")
    matched = sum(len(r.matched) for r in routes) / len(routes)
    verified = router.monitor.verified / len(talks)
    departments = len({r.department for r in routes})
    print(
        f"\nrules indexed in {build_s * 1000:.0f} ms; per conversation: {matched:.2f} rules "
        f"matched, {verified:.1f} queries verified (of {len(rules)}); {departments} departments "
        f"reached; same routes as the baseline on its {len(sample):,} conversations: yes"
    )
    print_machine(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
