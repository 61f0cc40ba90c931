"""The demo community: an invented peer-support site to try Alongside with, and bulk data for
benchmarks.

``load_demo`` builds about forty members, seven groups and a few hundred threads from the data
files in ``core/data/demo/``. Sixty-odd threads there are written out in full; the rest are put
together from per-group pools of titles, openings and replies with a seeded random generator,
so every run writes the same community (only the dates move, to stay within the last sixty
days). Nothing in it is a real person's words.

The demo writes rows in bulk rather than through the communities services (hundreds of
transactions would take far longer than one), so it keeps the services' bookkeeping itself:
``body_html`` rendered once with mentions linked, ``Thread.reply_count`` / ``last_post_id`` /
``last_activity_at``, ``Group.member_count`` / ``thread_count``, read state, and the
notifications the services would have created. ``tests/test_demo.py`` checks that these agree
with the rows.

Loading is idempotent: members and groups are matched by handle and slug, and a group gets
threads only while it has none, so running ``alongside demo`` twice changes nothing.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import PolicyAcceptance, PolicyDocument, RoleChange, User
from alongside.accounts.roles import Role
from alongside.communities.models import (
    Group,
    Membership,
    Post,
    Reaction,
    Thread,
    ThreadReadState,
)
from alongside.core.markdown import find_mentions, render_markdown
from alongside.notifications.models import Notification, NotificationKind

DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"
# Every demo account shares this passphrase; ``print_demo_logins`` shows it.
DEMO_PASSWORD = "together-demo-2026"  # noqa: S105 - published on purpose, demo data only
DEMO_URL = "http://127.0.0.1:8000"
SEED = "alongside-demo"
# Threads start within this many days before now.
SPAN_DAYS = 60
# One handle per role for the table ``print_demo_logins`` prints.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("Member", "quiet_heron"),
    ("Peer supporter", "willow_and_tea"),
    ("Moderator", "kestrel_mod"),
    ("Administrator", "ros_coordinator"),
    ("Researcher", "research_lena"),
]
# Those accounts have been away this long, so whoever logs in as one finds something new.
AWAY_HANDLES = frozenset(handle for _label, handle in DEMO_LOGINS)
AWAY = timedelta(hours=30)
# The administrator who created the demo groups.
ADMINISTRATOR = "ros_coordinator"
# Rows per INSERT when writing in bulk.
BATCH = 1000

# How many replies a composed thread gets, and how often (mean about four).
REPLY_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
REPLY_COUNT_WEIGHTS = (5, 12, 18, 20, 18, 12, 9, 6)
OPENING_REACTIONS = ((0, 1, 2, 3, 4, 5, 6), (10, 15, 20, 20, 15, 12, 8))
REPLY_REACTIONS = ((0, 1, 2, 3), (40, 30, 20, 10))
REACTION_KINDS: dict[str, dict[str, int]] = {
    "default": {"relate": 35, "strength": 25, "thanks": 20, "hug": 20},
    "good-days": {"relate": 15, "strength": 40, "thanks": 25, "hug": 20},
    "peer-supporters-room": {"relate": 20, "strength": 20, "thanks": 50, "hug": 10},
}
# How likely a replier is chosen, by site role, in the groups members use.
REPLIER_WEIGHTS: dict[str, float] = {
    Role.MEMBER.value: 1.0,
    Role.PEER_SUPPORTER.value: 2.5,
    Role.MODERATOR.value: 0.6,
    Role.ADMINISTRATOR.value: 0.4,
    Role.RESEARCHER.value: 0.0,
}


# --- Data files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    visibility: str
    description: str
    rules: str
    threads: int


@dataclass(frozen=True)
class MemberSpec:
    handle: str
    pronouns: str
    region: str
    role: str
    bio: str
    lived_experience: list[str]
    groups: list[str]
    moderates: list[str]
    pending: list[str]


def _read_json(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@cache
def group_specs() -> list[GroupSpec]:
    return [GroupSpec(**raw) for raw in _read_json("groups.json")]


@cache
def member_specs() -> list[MemberSpec]:
    return [MemberSpec(**raw) for raw in _read_json("members.json")]


@cache
def written_threads(slug: str) -> list[dict[str, Any]]:
    """The threads written out in full for one group."""
    threads: list[dict[str, Any]] = _read_json(f"threads/{slug}.json")
    return threads


@cache
def pool(name: str) -> dict[str, Any]:
    """Fragments to compose threads from: ``common`` or a group's slug."""
    fragments: dict[str, Any] = _read_json(f"pools/{name}.json")
    return fragments


# --- Drafts: the community in memory, before any row is written -----------------------------


@dataclass
class DraftPost:
    author: str
    body: str
    created_at: datetime
    content_warning: str = ""
    deleted_by: str = ""
    deleted_at: datetime | None = None
    reactions: list[tuple[str, str, datetime]] = field(default_factory=list)


@dataclass
class DraftThread:
    group: str
    title: str
    posts: list[DraftPost]

    @property
    def author(self) -> str:
        return self.posts[0].author


@dataclass(frozen=True)
class Person:
    """A group member as the composer sees them."""

    handle: str
    role: str
    joined_at: datetime
    lived_experience: frozenset[str] = frozenset()


class FragmentPicker:
    """Hands out fragments, least used first, so repeats are spread thin across the site."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.uses: dict[str, int] = defaultdict(int)

    def pick(self, options: Sequence[str], *, max_uses: int | None = None) -> str | None:
        if not options:
            return None
        fewest = min(self.uses[option] for option in options)
        if max_uses is not None and fewest >= max_uses:
            return None
        candidates = [option for option in options if self.uses[option] == fewest]
        choice = self.rng.choice(candidates)
        self.uses[choice] += 1
        return choice


class Composer:
    """Builds one group's drafts: its written threads, then composed ones up to its target."""

    def __init__(
        self,
        *,
        spec: GroupSpec,
        people: list[Person],
        now: datetime,
        used_bodies: set[str],
    ) -> None:
        self.spec = spec
        self.people = people
        self.by_handle = {person.handle: person for person in people}
        self.now = now
        self.used_bodies = used_bodies
        self.rng = random.Random(f"{SEED}:{spec.slug}")  # noqa: S311 - not for security
        self.picker = FragmentPicker(self.rng)
        common, own = pool("common"), pool(spec.slug)
        # A group's own list of a kind (even an empty one) replaces the common list.
        self.fragments: dict[str, list[str]] = {
            kind: list(own.get(kind, common.get(kind, [])))
            for kind in (
                "openers",
                "closers",
                "short",
                "op_followups",
                "supporter_lines",
                "cheer_openers",
                "cheer_closers",
                "cheer_short",
            )
        }
        self.middles: list[str] = list(own.get("replies", []))
        self.feelings: list[str] = list(own.get("feelings", []))
        self.asks: list[str] = list(own.get("asks", []))
        self.topics: list[dict[str, Any]] = list(own.get("topics", []))
        self.reaction_kinds = REACTION_KINDS.get(spec.slug, REACTION_KINDS["default"])
        self.supportive = bool(self.fragments["supporter_lines"])

    # -- timing --

    def _reply_times(
        self, start: datetime, count: int, later: Iterable[int] = ()
    ) -> list[datetime]:
        """Times for ``count`` replies after ``start``: minutes to hours apart, all in the past.

        Replies whose index is in ``later`` come the next day or so: they are follow-ups
        ("Update: …") that tell of something that happened in between.
        """
        gaps = [
            self.rng.expovariate(1 / self.rng.choice((1800.0, 5400.0, 14400.0, 28800.0))) + 120.0
            for _ in range(count)
        ]
        for index in later:
            gaps[index] = self.rng.uniform(14, 30) * 3600.0
        room = (self.now - start).total_seconds() - 120.0
        total = sum(gaps)
        if total > room * 0.95:
            gaps = [gap * room * 0.95 / total for gap in gaps]
        times, moment = [], start
        for gap in gaps:
            moment += timedelta(seconds=gap)
            times.append(moment)
        return times

    def _is_present(self, person: Person, moment: datetime) -> bool:
        """Joined by then, and not one of the demo logins during their time away."""
        if person.joined_at >= moment:
            return False
        return person.handle not in AWAY_HANDLES or moment < self.now - AWAY

    def _present_at(self, moment: datetime) -> list[Person]:
        return [person for person in self.people if self._is_present(person, moment)]

    # -- people --

    def _replier(self, moment: datetime, avoid: set[str], recent: str) -> str | None:
        candidates = [
            person
            for person in self._present_at(moment)
            if person.handle not in avoid and person.handle != recent
        ]
        if not candidates:
            candidates = [p for p in self._present_at(moment) if p.handle != recent]
        if not candidates:
            return None
        weights = [self._weight(person) for person in candidates]
        if not any(weights):
            return None
        return self.rng.choices(candidates, weights=weights)[0].handle

    def _weight(self, person: Person) -> float:
        if self.spec.visibility == Group.Visibility.HIDDEN:
            return 1.0
        return REPLIER_WEIGHTS.get(person.role, 1.0)

    def _starter(self, moment: datetime, prefer: Sequence[str] = ()) -> str:
        """Who starts a thread: mostly members, the ones whose story fits it if any."""
        present = self._present_at(moment)
        if self.spec.visibility == Group.Visibility.HIDDEN:
            return self.rng.choice(present).handle
        fitting = [
            person
            for person in present
            if person.handle in prefer or person.lived_experience.intersection(prefer)
        ]
        if fitting:
            return self.rng.choice(fitting).handle
        members = [person for person in present if person.role == Role.MEMBER]
        if members and self.rng.random() < 0.92:
            return self.rng.choice(members).handle
        others = [person for person in present if person.role != Role.RESEARCHER]
        return self.rng.choice(others).handle

    # -- text --

    def _unique(self, text: str) -> str | None:
        if text in self.used_bodies:
            return None
        self.used_bodies.add(text)
        return text

    def _reply_body(
        self, *, author: str, special: str | None, mention: str | None, cheer: bool
    ) -> str | None:
        """A reply no other post has; None in the unlikely case that every try collides."""
        for _attempt in range(12):
            text = self._reply_text(author=author, special=special, cheer=cheer)
            if mention:
                text = f"@{mention} {text}"
            unique = self._unique(text)
            if unique is not None:
                return unique
            special = None
        return None

    def _reply_text(self, *, author: str, special: str | None, cheer: bool) -> str:
        """Sympathy, experience and encouragement, or congratulations for good news."""
        kinds = ("cheer_openers", "cheer_closers", "cheer_short") if cheer else None
        openers, closers, shorts = (
            (self.fragments[kind] for kind in kinds)
            if kinds
            else (self.fragments["openers"], self.fragments["closers"], self.fragments["short"])
        )
        roll = self.rng.random()
        if special is None and roll < 0.12:
            short = self.picker.pick(shorts, max_uses=1)
            if short:
                return short
        if special is None and roll > (0.6 if cheer else 0.92):
            opener, closer = self.picker.pick(openers), self.picker.pick(closers)
            if opener and closer:
                return f"{opener} {closer}"
        core = special or self.picker.pick(self.middles) or ""
        paragraphs = [core]
        if self.rng.random() < 0.5:
            opener = self.picker.pick(openers)
            if opener:
                paragraphs[0] = f"{opener} {core}"
        if self.rng.random() < 0.25 and not special and not cheer:
            extra = self.picker.pick(self.middles)
            if extra and extra != core:
                paragraphs.append(extra)
        supporter = self.by_handle[author].role == Role.PEER_SUPPORTER
        if supporter and self.supportive and not cheer and self.rng.random() < 0.45:
            line = self.picker.pick(self.fragments["supporter_lines"])
            if line:
                paragraphs.append(line)
        elif self.rng.random() < 0.4:
            closer = self.picker.pick(closers)
            if closer:
                paragraphs.append(closer)
        return "\n\n".join(paragraphs)

    def _opening_body(self, opening: str, *, cheer: bool) -> str:
        """The seed's opening, sometimes with a feeling and a question of the group's own."""
        if cheer:
            self.used_bodies.add(opening)
            return opening
        for _attempt in range(12):
            first = opening
            if self.feelings and self.rng.random() < 0.5:
                feeling = self.picker.pick(self.feelings)
                first = f"{opening} {feeling}"
            paragraphs = [first]
            ask = self.picker.pick(self.asks) if self.rng.random() < 0.65 else None
            if ask:
                paragraphs.append(ask)
            unique = self._unique("\n\n".join(paragraphs))
            if unique is not None:
                return unique
        self.used_bodies.add(opening)
        return opening

    # -- reactions --

    def _react(self, post: DraftPost, *, opening: bool) -> None:
        if post.deleted_by:
            return
        counts, weights = OPENING_REACTIONS if opening else REPLY_REACTIONS
        wanted = self.rng.choices(counts, weights=weights)[0]
        present = [
            person
            for person in self._present_at(post.created_at)
            if person.handle != post.author and person.role != Role.RESEARCHER
        ]
        kinds = list(self.reaction_kinds)
        kind_weights = list(self.reaction_kinds.values())
        for person in self.rng.sample(present, min(wanted, len(present))):
            chosen = {self.rng.choices(kinds, weights=kind_weights)[0]}
            if self.rng.random() < 0.1:
                chosen.add(self.rng.choices(kinds, weights=kind_weights)[0])
            for kind in sorted(chosen):
                delay = timedelta(seconds=self.rng.expovariate(1 / 10800.0) + 30.0)
                moment = min(post.created_at + delay, self.now - timedelta(seconds=30))
                if not self._is_present(person, moment):
                    continue
                post.reactions.append((person.handle, kind, moment))

    # -- threads --

    def written(self) -> list[DraftThread]:
        drafts = []
        for raw in written_threads(self.spec.slug):
            days = float(raw["days_ago"])
            days = max(days + self.rng.uniform(-0.3, 0.3) * min(days / 5, 1.0), 0.15)
            start = self.now - timedelta(days=days)
            opening = DraftPost(
                author=raw["author"],
                body=raw["body"],
                created_at=start,
                content_warning=raw.get("content_warning", ""),
            )
            self.used_bodies.add(raw["body"])
            posts = [opening]
            # Someone posting again in a thread is usually coming back later with news.
            later: list[int] = []
            spoken = {raw["author"]}
            for index, reply in enumerate(raw["replies"]):
                if reply["author"] in spoken:
                    later.append(index)
                spoken.add(reply["author"])
            times = self._reply_times(start, len(raw["replies"]), later)
            for reply, moment in zip(raw["replies"], times, strict=True):
                self.used_bodies.add(reply["body"])
                posts.append(
                    DraftPost(
                        author=reply["author"],
                        body=reply["body"],
                        created_at=moment,
                        deleted_by=reply.get("deleted_by", ""),
                    )
                )
            # A moderator removed the post before writing the reply that explains why.
            for post, following in itertools.pairwise(posts):
                if post.deleted_by:
                    post.deleted_at = post.created_at + (following.created_at - post.created_at) / 2
            if posts[-1].deleted_by:
                posts[-1].deleted_at = posts[-1].created_at + timedelta(minutes=5)
            for index, post in enumerate(posts):
                self._react(post, opening=index == 0)
            drafts.append(DraftThread(group=self.spec.slug, title=raw["title"], posts=posts))
        return drafts

    def _start_time(self) -> datetime:
        """A moment in the span, mostly in waking hours (though not only: nights are hard)."""
        moment = self.now - timedelta(days=self.rng.uniform(0.1, SPAN_DAYS))
        if moment.hour < 7 and self.rng.random() < 0.75:
            moment = min(
                moment + timedelta(hours=self.rng.uniform(7, 11)),
                self.now - timedelta(hours=2),
            )
        return moment

    def composed(self, count: int) -> list[DraftThread]:
        seeds: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (seed, topic) for topic in self.topics for seed in topic["seeds"]
        ]
        self.rng.shuffle(seeds)
        seeds = seeds[:count]
        starts = sorted(self._start_time() for _ in seeds)
        return [
            self._compose_thread(seed, topic, start)
            for (seed, topic), start in zip(seeds, starts, strict=True)
        ]

    def _compose_thread(
        self, seed: dict[str, Any], topic: dict[str, Any], start: datetime
    ) -> DraftThread:
        author = self._starter(start, seed.get("prefer") or topic.get("prefer") or ())
        cheer = bool(seed.get("good_news"))
        posts = [
            DraftPost(
                author=author,
                body=self._opening_body(seed["opening"], cheer=cheer),
                created_at=start,
                content_warning=topic.get("content_warning", ""),
            )
        ]
        special: str = seed["reply"]
        replies = self.rng.choices(REPLY_COUNTS, weights=REPLY_COUNT_WEIGHTS)[0]
        follow_up = replies >= 2 and self.rng.random() < 0.4
        times = self._reply_times(start, replies, [replies - 1] if follow_up else [])
        special_at = self.rng.randrange(min(2, replies))
        seen = {author}
        recent = author
        for index, moment in enumerate(times):
            if (
                follow_up
                and index == len(times) - 1
                and self._is_present(self.by_handle[author], moment)
            ):
                text = self.picker.pick(self.fragments["op_followups"], max_uses=1)
                if text and self._unique(text):
                    posts.append(DraftPost(author=author, body=text, created_at=moment))
                    break
            replier = self._replier(moment, seen, recent)
            if replier is None:
                break
            mention = None
            if index > 0 and self.rng.random() < 0.03:
                mention = self.rng.choice([h for h in seen if h != replier] or [author])
            body = self._reply_body(
                author=replier,
                special=special if index == special_at else None,
                mention=mention,
                cheer=cheer,
            )
            if body is None:
                continue
            posts.append(DraftPost(author=replier, body=body, created_at=moment))
            seen.add(replier)
            recent = replier
        for index, post in enumerate(posts):
            self._react(post, opening=index == 0)
        return DraftThread(group=self.spec.slug, title=seed["title"], posts=posts)


# --- Writing rows ---------------------------------------------------------------------------


def _profile_url(handle: str) -> str:
    return reverse("accounts:profile", args=[handle])


def _render(text: str, mentioned: Iterable[str] = ()) -> str:
    """The HTML the services would store: sanitised markdown with readable mentions linked."""
    return render_markdown(text, mention_handles=list(mentioned), profile_url=_profile_url)


def _current_policies() -> list[PolicyDocument]:
    """The newest version of each policy (as ``accounts.selectors``, without its cache)."""
    newest: dict[str, PolicyDocument] = {}
    for document in PolicyDocument.objects.order_by("kind", "-published_at", "-id"):
        newest.setdefault(document.kind, document)
    return list(newest.values())


def _accept_policies(users: Iterable[User]) -> None:
    documents = _current_policies()
    users = list(users)
    have = set(
        PolicyAcceptance.objects.filter(user__in=users, document__in=documents).values_list(
            "user_id", "document_id"
        )
    )
    PolicyAcceptance.objects.bulk_create(
        [
            PolicyAcceptance(user=user, document=document, accepted_at=user.date_joined)
            for user in users
            for document in documents
            if (user.pk, document.pk) not in have
        ],
        batch_size=BATCH,
    )


def _give_roles(wanted: dict[User, set[str]], now: datetime) -> None:
    """Add missing role groups (everyone keeps "member") and audit the others, as the services."""
    role_groups = {group.name: group for group in RoleGroup.objects.filter(name__in=Role.values)}
    through = User.groups.through
    have = set(through.objects.filter(user__in=list(wanted)).values_list("user_id", "group_id"))
    links, changes = [], []
    for user, roles in wanted.items():
        for role in sorted(roles | {Role.MEMBER.value}):
            group = role_groups[role]
            if (user.pk, group.pk) in have:
                continue
            links.append(through(user_id=user.pk, group_id=group.pk))
            if role != Role.MEMBER:
                changes.append(
                    RoleChange(user=user, actor=None, role=role, action="assigned", created_at=now)
                )
    through.objects.bulk_create(links, batch_size=BATCH)
    RoleChange.objects.bulk_create(changes, batch_size=BATCH)


def _demo_accounts() -> dict[str, User]:
    """Demo handle to account. Handles are unique ignoring case, so match them that way."""
    by_lower = {spec.handle.lower(): spec.handle for spec in member_specs()}
    return {
        by_lower[user.handle_lower]: user
        for user in User.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=list(by_lower)
        )
    }


def _ensure_members(now: datetime) -> dict[str, User]:
    """The demo members by demo handle; an account that already has the handle is kept as is."""
    specs = member_specs()
    existing = _demo_accounts()
    rng = random.Random(f"{SEED}:members")  # noqa: S311 - not for security
    password = make_password(DEMO_PASSWORD)  # one Argon2 hash, shared: hashing is slow
    new = []
    for spec in specs:
        # Staff have been around longest; members asking to join a group arrived this week.
        days = rng.uniform(90, 120) if spec.role != Role.MEMBER else rng.uniform(62, 110)
        if spec.pending:
            days = 6.0
        if spec.handle in existing:
            continue
        new.append(
            User(
                handle=spec.handle,
                password=password,
                pronouns=spec.pronouns,
                bio=spec.bio,
                lived_experience=spec.lived_experience,
                region=spec.region,
                date_joined=now - timedelta(days=days),
            )
        )
    User.objects.bulk_create(new, batch_size=BATCH)
    users = _demo_accounts()
    _give_roles({users[spec.handle]: {spec.role} for spec in specs}, now)
    _accept_policies(users.values())
    return users


def _ensure_groups(users: dict[str, User], now: datetime) -> dict[str, Group]:
    existing = {group.slug: group for group in Group.objects.filter(slug__in=_slugs())}
    creator = users.get(ADMINISTRATOR)
    Group.objects.bulk_create(
        [
            Group(
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
                rules=spec.rules,
                rules_html=_render(spec.rules),
                visibility=spec.visibility,
                invite_token=(
                    secrets.token_urlsafe(32) if spec.visibility != Group.Visibility.OPEN else ""
                ),
                created_by=creator,
                created_at=now - timedelta(days=130),
            )
            for spec in group_specs()
            if spec.slug not in existing
        ]
    )
    return {group.slug: group for group in Group.objects.filter(slug__in=_slugs())}


def _slugs() -> list[str]:
    return [spec.slug for spec in group_specs()]


def _ensure_memberships(users: dict[str, User], groups: dict[str, Group]) -> None:
    have = set(
        Membership.objects.filter(group__in=list(groups.values())).values_list(
            "group_id", "user_id"
        )
    )
    new = []
    for spec in member_specs():
        user = users[spec.handle]
        wanted = [(slug, Membership.Status.ACTIVE) for slug in spec.groups]
        wanted += [(slug, Membership.Status.PENDING) for slug in spec.pending]
        for position, (slug, status) in enumerate(wanted):
            group = groups[slug]
            if (group.pk, user.pk) in have:
                continue
            new.append(
                Membership(
                    group=group,
                    user=user,
                    status=status,
                    role=(
                        Membership.Role.MODERATOR
                        if slug in spec.moderates
                        else Membership.Role.MEMBER
                    ),
                    joined_at=user.date_joined + timedelta(hours=1 + 6 * position),
                )
            )
    Membership.objects.bulk_create(new, batch_size=BATCH)


def _people(group: Group, roles: dict[int, str], handle_of: dict[int, str]) -> list[Person]:
    return [
        Person(
            handle=handle_of[m.user_id],
            role=roles.get(m.user_id, Role.MEMBER),
            joined_at=m.joined_at,
            lived_experience=frozenset(m.user.lived_experience),
        )
        for m in Membership.objects.filter(
            group=group, status=Membership.Status.ACTIVE, user_id__in=list(handle_of)
        )
        .select_related("user")
        .order_by("user__handle")
    ]


def _site_roles(users: Iterable[User]) -> dict[int, str]:
    """Each user's highest role (for how often the composer picks them)."""
    order: list[str] = [
        Role.RESEARCHER.value,
        Role.ADMINISTRATOR.value,
        Role.MODERATOR.value,
        Role.PEER_SUPPORTER.value,
    ]
    found: dict[int, str] = {}
    rows = User.groups.through.objects.filter(
        user__in=list(users), group__name__in=order
    ).values_list("user_id", "group__name")
    for user_id, name in rows:
        current = found.get(user_id)
        if current is None or order.index(name) < order.index(current):
            found[user_id] = name
    return found


def _last_seen(users: dict[str, User], now: datetime) -> dict[str, datetime]:
    """When each member last looked around: what they have read and which notifications."""
    rng = random.Random(f"{SEED}:seen")  # noqa: S311 - not for security
    seen = {handle: now - timedelta(days=rng.uniform(0.4, 3.0)) for handle in sorted(users)}
    for handle in AWAY_HANDLES:
        seen[handle] = now - AWAY
    return seen


def _readers(group: Group, members: set[str], moderators: set[str], handle: str) -> bool:
    """Whether ``handle`` can read the group's threads (who a mention may notify)."""
    if group.visibility == Group.Visibility.OPEN:
        return True
    return handle in members or handle in moderators


def _write(
    drafts: list[DraftThread],
    *,
    groups: dict[str, Group],
    users: dict[str, User],
    now: datetime,
) -> None:
    """Write the drafts' threads, posts, reactions, read state and notifications in bulk."""
    if not drafts:
        return
    handle_of = {user.pk: handle for handle, user in users.items()}
    by_handle_lower = {handle.lower(): user for handle, user in users.items()}
    site_moderators = {
        handle_of[user_id]
        for user_id in User.objects.filter(
            pk__in=list(handle_of), groups__permissions__codename="moderate_all_groups"
        ).values_list("pk", flat=True)
    }
    active_members: dict[int, set[str]] = defaultdict(set)
    for group_id, user_id in Membership.objects.filter(
        group__in=list(groups.values()),
        status=Membership.Status.ACTIVE,
        user_id__in=list(handle_of),
    ).values_list("group_id", "user_id"):
        active_members[group_id].add(handle_of[user_id])

    threads = [
        Thread(
            group=groups[draft.group],
            author=users[draft.author],
            title=draft.title,
            created_at=draft.posts[0].created_at,
            last_activity_at=max(post.created_at for post in draft.posts),
            reply_count=sum(1 for post in draft.posts[1:] if not post.deleted_by),
        )
        for draft in drafts
    ]
    Thread.objects.bulk_create(threads, batch_size=BATCH)

    # Posts in time order across the whole site, so ids rise with time as they would live.
    ordered = sorted(
        (
            (post, thread, draft)
            for draft, thread in zip(drafts, threads, strict=True)
            for post in draft.posts
        ),
        key=lambda item: item[0].created_at,
    )
    rows: list[Post] = []
    mentions: list[list[User]] = []
    for post, thread, draft in ordered:
        group = groups[draft.group]
        mentioned = [
            by_handle_lower[handle]
            for handle in sorted(find_mentions(post.body))
            if handle in by_handle_lower
            and _readers(
                group,
                active_members[group.pk],
                site_moderators,
                handle_of[by_handle_lower[handle].pk],
            )
        ]
        mentions.append(mentioned)
        rows.append(
            Post(
                thread=thread,
                author=users[post.author],
                is_opening=post is draft.posts[0],
                body=post.body,
                body_html=_render(post.body, [user.handle for user in mentioned]),
                content_warning=post.content_warning,
                created_at=post.created_at,
                deleted_at=post.deleted_at,
                deleted_by=users[post.deleted_by] if post.deleted_by else None,
            )
        )
    Post.objects.bulk_create(rows, batch_size=BATCH)

    newest_visible: dict[int, int] = {}
    for row in rows:
        if row.deleted_at is None:
            newest_visible[row.thread_id] = max(newest_visible.get(row.thread_id, 0), row.pk)
    for thread in threads:
        thread.last_post_id = newest_visible.get(thread.pk, 0)
    Thread.objects.bulk_update(threads, ["last_post_id"], batch_size=BATCH)

    reactions = [
        Reaction(post=row, user=users[handle], kind=kind, created_at=moment)
        for (post, _thread, _draft), row in zip(ordered, rows, strict=True)
        for handle, kind, moment in post.reactions
    ]
    Reaction.objects.bulk_create(reactions, batch_size=BATCH)

    seen = _last_seen(users, now)
    for row in rows:
        author = handle_of[row.author_id]
        seen[author] = max(seen[author], row.created_at)
    for reaction in reactions:
        reactor = handle_of[reaction.user_id]
        seen[reactor] = max(seen[reactor], reaction.created_at)
    _write_read_state(threads, rows, groups, active_members, users, seen)
    _write_notifications(rows, mentions, reactions, {users[h].pk: t for h, t in seen.items()})


def _write_read_state(
    threads: list[Thread],
    rows: list[Post],
    groups: dict[str, Group],
    active_members: dict[int, set[str]],
    users: dict[str, User],
    seen: dict[str, datetime],
) -> None:
    """Each member has read each thread in their groups up to their last visit."""
    posts_by_thread: dict[int, list[Post]] = defaultdict(list)
    for row in rows:
        posts_by_thread[row.thread_id].append(row)
    states = []
    for thread in threads:
        posts = posts_by_thread[thread.pk]
        for handle in sorted(active_members[thread.group_id]):
            read = [post.pk for post in posts if post.created_at <= seen[handle]]
            if read:
                states.append(
                    ThreadReadState(user=users[handle], thread=thread, last_read_post_id=max(read))
                )
    ThreadReadState.objects.bulk_create(states, batch_size=BATCH)


def _write_notifications(
    rows: list[Post],
    mentions: list[list[User]],
    reactions: list[Reaction],
    seen: dict[int, datetime],
) -> None:
    """The notifications ``notifications.services`` would have written, read up to last visit."""
    rng = random.Random(f"{SEED}:notifications")  # noqa: S311 - not for security
    notes: list[Notification] = []

    def add(
        recipient: User, kind: str, actor: User, post: Post, when: datetime, detail: str = ""
    ) -> None:
        read_at = when + timedelta(minutes=rng.uniform(5, 600))
        notes.append(
            Notification(
                recipient=recipient,
                kind=kind,
                actor=actor,
                post=post,
                thread_id=post.thread_id,
                detail=detail,
                created_at=when,
                read_at=read_at if read_at <= seen[recipient.pk] else None,
            )
        )

    for row, mentioned in zip(rows, mentions, strict=True):
        if row.deleted_at is not None:
            continue
        told = set()
        for user in mentioned:
            if user.pk != row.author_id:
                add(user, NotificationKind.MENTION, row.author, row, row.created_at)
                told.add(user.pk)
        thread_author = row.thread.author
        if (
            not row.is_opening
            and thread_author.pk != row.author_id
            and thread_author.pk not in told
        ):
            add(thread_author, NotificationKind.REPLY, row.author, row, row.created_at)
    told_reactions: set[tuple[int, int]] = set()
    for reaction in reactions:
        post = reaction.post
        if reaction.user_id == post.author_id or (post.pk, reaction.user_id) in told_reactions:
            continue
        told_reactions.add((post.pk, reaction.user_id))
        add(
            post.author,
            NotificationKind.REACTION,
            reaction.user,
            post,
            reaction.created_at,
            detail=reaction.kind,
        )
    notes.sort(key=lambda note: note.created_at)
    Notification.objects.bulk_create(notes, batch_size=BATCH)


def refresh_counters(groups: Iterable[Group]) -> None:
    """Set each group's member and thread counts from its rows."""
    for group in Group.objects.filter(pk__in=[group.pk for group in groups]).annotate(
        members=Count(
            "memberships",
            filter=Q(memberships__status=Membership.Status.ACTIVE),
            distinct=True,
        ),
    ):
        threads = Thread.objects.filter(group=group, deleted_at__isnull=True).count()
        if (group.member_count, group.thread_count) != (group.members, threads):
            group.member_count = group.members
            group.thread_count = threads
            group.save(update_fields=["member_count", "thread_count"])


# --- Public ---------------------------------------------------------------------------------


def load_demo() -> None:
    """Create the demo community, or complete it; running it again changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        users = _ensure_members(now)
        groups = _ensure_groups(users, now)
        _ensure_memberships(users, groups)
        roles = _site_roles(users.values())
        handle_of = {user.pk: handle for handle, user in users.items()}
        # A group whose threads are still there keeps them; new ones must not repeat them.
        used_bodies = set(
            Post.objects.filter(thread__group__in=list(groups.values())).values_list(
                "body", flat=True
            )
        )
        drafts: list[DraftThread] = []
        for spec in group_specs():
            group = groups[spec.slug]
            if Thread.objects.filter(group=group).exists():
                continue
            composer = Composer(
                spec=spec,
                people=_people(group, roles, handle_of),
                now=now,
                used_bodies=used_bodies,
            )
            written = composer.written()
            drafts += written
            drafts += composer.composed(max(spec.threads - len(written), 0))
        _write(drafts, groups=groups, users=users, now=now)
        refresh_counters(groups.values())
    _ensure_safety_demo(users)
    _ensure_chat_demo(users, groups)
    _ensure_peer_support_demo(users)
    _ensure_self_management_demo(users)


# Posts the demo writes through the real services, so the moderators' queue has something in
# it: one that screening holds, and one that asks a moderator to look. Invented text.
DEMO_SCREENED_POSTS = [
    (
        "tiny_lighthouse",
        "Some nights I wish I could just disappear and not wake up. I'm not going to do "
        "anything, I just needed to say it somewhere people get it.",
    ),
    (
        "paddy_m",
        "This forum is great but it's easier to talk properly on WhatsApp, "
        "add me on 07700 900461 if you want.",
    ),
]


def _ensure_safety_demo(users: dict[str, User]) -> None:
    """The demo moderator on duty and on the rota, and a few screened posts in the queue."""
    from alongside.communities import services as communities
    from alongside.safety.models import DutyPeriod, RotaSlot

    moderator = users["kestrel_mod"]
    if not DutyPeriod.objects.filter(moderator=moderator, ended_at__isnull=True).exists():
        DutyPeriod.objects.create(moderator=moderator)
    if not RotaSlot.objects.filter(moderator=moderator).exists():
        RotaSlot.objects.bulk_create(
            RotaSlot(moderator=moderator, weekday=day, starts=time(9), ends=time(21))
            for day in range(7)
        )
    for handle, body in DEMO_SCREENED_POSTS:
        author = users[handle]
        if Post.objects.filter(author=author, body=body).exists():
            continue
        thread = (
            Thread.objects.filter(group__memberships__user=author, deleted_at__isnull=True)
            .order_by("-last_activity_at", "id")
            .first()
        )
        if thread is not None:
            communities.post_create(author=author, thread=thread, body=body)


DEMO_CHAT_GROUP = "anxiety-and-panic"
DEMO_ROOM_RULES = (
    "Be kind and patient: everyone here is finding their way.\n"
    "Share your own experience, not advice about medication.\n"
    "Keep it here: no swapping numbers or moving to other apps.\n"
    "If you're in danger now, use Get help now at the top of the page."
)
DEMO_ROOM_MESSAGES = [
    ("quiet_heron", "Evening all. Bit of a wobbly day, glad this room is here."),
    ("willow_and_tea", "Welcome in. Wobbly days count too. What helped, even a little?"),
    ("quiet_heron", "Honestly a cup of tea and the breathing thing from the resources page."),
]
DEMO_DIRECT_MESSAGES = [
    ("willow_and_tea", "Hi, I saw your post about the train journeys. How did this week go?"),
    ("quiet_heron", "Better than last week. I got to the second stop before I had to get off."),
    ("willow_and_tea", "That's real progress. I remember when two stops felt like a marathon."),
]


def _ensure_peer_support_demo(users: dict[str, User]) -> None:
    """Supporter profiles, a supervisor, quiet_heron's relationship with willow_and_tea (on
    their existing one-to-one) and an open request. After the chat demo, so it reuses it."""
    from alongside.support.demo import ensure_demo_support

    ensure_demo_support(users)


def _ensure_self_management_demo(users: dict[str, User]) -> None:
    """A wellbeing schedule for everyone, and quiet_heron's questionnaire history, check-ins,
    goals, "what helps me" and safety plan (all invented), so the progress pages have data."""
    from alongside.measures.demo_responses import ensure_demo_responses
    from alongside.measures.demo_schedules import ensure_demo_schedule
    from alongside.selfcare.demo import ensure_demo_selfcare

    ensure_demo_schedule()
    ensure_demo_responses(users["quiet_heron"])
    ensure_demo_selfcare(users["quiet_heron"])
    _ensure_evaluation_demo(users)


def _ensure_evaluation_demo(users: dict[str, User]) -> None:
    """A programme with two cohorts and a randomised evaluation with invented participants,
    so the programme pages and the researchers' report have data."""
    from alongside.evaluation.demo import ensure_demo_evaluation

    ensure_demo_evaluation(users)


def _ensure_chat_demo(users: dict[str, User], groups: dict[str, Group]) -> None:
    """An open room, a weekly facilitated session open now, and a one-to-one, written
    through the chat services (so screened like everything else). Runs once."""
    from alongside.chat import services as chat
    from alongside.chat.models import Conversation

    group = groups.get(DEMO_CHAT_GROUP)
    if group is None or Conversation.objects.filter(group=group).exists():
        return
    admin, supporter, member = users[ADMINISTRATOR], users["willow_and_tea"], users["quiet_heron"]
    room = chat.room_create(
        actor=admin, group=group, title="Anxiety chat room", ground_rules=DEMO_ROOM_RULES
    )
    started = timezone.localtime(timezone.now(), ZoneInfo("Europe/London")) - timedelta(hours=1)
    chat.room_create(
        actor=admin,
        group=group,
        title="Weekly drop-in with Willow",
        kind=Conversation.Kind.SESSION,
        facilitator=supporter,
        ground_rules=DEMO_ROOM_RULES,
        schedule_weekday=started.weekday(),
        schedule_start=time(started.hour),
        schedule_minutes=180,
        schedule_timezone="Europe/London",
    )
    for handle, body in DEMO_ROOM_MESSAGES:
        chat.message_send(author=users[handle], conversation=room, body=body)
    direct = chat.direct_open(initiator=supporter, recipient=member)
    for handle, body in DEMO_DIRECT_MESSAGES:
        chat.message_send(author=users[handle], conversation=direct, body=body)


def print_demo_logins(url: str = DEMO_URL) -> None:
    """Print a handle for each role, the shared passphrase and where to log in."""
    rows = [(label, handle) for label, handle in DEMO_LOGINS]
    width = max(len(label) for label, _handle in rows)
    print()
    print(f"Demo community ready at {url}/")
    print(f"Every demo account's password: {DEMO_PASSWORD}")
    print()
    print(f"  {'Role'.ljust(width)}  Handle")
    print(f"  {'-' * width}  {'-' * 20}")
    for label, handle in rows:
        print(f"  {label.ljust(width)}  {handle}")
    print()


# --- Bulk data for benchmarks ---------------------------------------------------------------


@cache
def _bench_texts() -> list[tuple[str, str]]:
    """About two hundred demo replies with their HTML, rendered once and reused."""
    texts: list[str] = []
    for spec in group_specs():
        texts += pool(spec.slug).get("replies", [])
    texts += pool("common")["short"]
    return [(text, _render(text)) for text in texts]


def _bench_members(group: Group, wanted: int, now: datetime) -> list[User]:
    """The group's active members, adding ``bench_<group id>_<n>`` members up to ``wanted``."""
    members = list(
        User.objects.filter(
            memberships__group=group, memberships__status=Membership.Status.ACTIVE
        ).order_by("pk")
    )
    missing = wanted - len(members)
    if missing <= 0:
        return members
    password = make_password(DEMO_PASSWORD)
    taken = set(
        User.objects.filter(handle__startswith=f"bench_{group.pk}_").values_list(
            "handle", flat=True
        )
    )
    handles: list[str] = []
    number = 0
    while len(handles) < missing:
        number += 1
        handle = f"bench_{group.pk}_{number}"
        if handle not in taken:
            handles.append(handle)
    joined = now - timedelta(days=SPAN_DAYS + 1)
    new = User.objects.bulk_create(
        [User(handle=handle, password=password, date_joined=joined) for handle in handles],
        batch_size=BATCH,
    )
    _give_roles({user: set() for user in new}, now)
    _accept_policies(new)
    Membership.objects.bulk_create(
        [Membership(group=group, user=user, joined_at=joined) for user in new], batch_size=BATCH
    )
    return members + new


def create_bulk_forum(
    *, group_slug: str, threads: int, replies_per_thread: int, reactions_per_post: int = 1
) -> None:
    """Add ``threads`` threads of ``replies_per_thread`` replies to a group, fast, for benchmarks.

    The group is created (open) if it does not exist, and members are added until each post
    can have ``reactions_per_post`` reactions from different members. Counters are kept
    exactly as the services keep them; no notifications or read state are written.
    """
    now = timezone.now()
    kinds = list(Reaction.Kind.values)
    texts = _bench_texts()
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(
            slug=group_slug,
            defaults={
                "name": group_slug.replace("-", " ").capitalize()[:80],
                "visibility": Group.Visibility.OPEN,
                "created_at": now - timedelta(days=SPAN_DAYS + 1),
            },
        )
        wanted = max(10, -(-reactions_per_post // len(kinds)) + 1)
        members = _bench_members(group, wanted, now)
        # Kind-major, so a post's reactions come from different members first.
        pairs = [(user, kind) for kind in kinds for user in members]
        per_post = min(reactions_per_post, len(pairs))
        posts_per_thread = replies_per_thread + 1
        chunk = max(1, 20_000 // posts_per_thread)
        step = timedelta(seconds=SPAN_DAYS * 86400 / max(threads, 1))
        start = now - timedelta(days=SPAN_DAYS)
        made = 0
        counter = 0
        while made < threads:
            size = min(chunk, threads - made)
            batch_threads = []
            for index in range(made, made + size):
                created = start + step * index
                batch_threads.append(
                    Thread(
                        group=group,
                        author=members[index % len(members)],
                        title=f"Benchmark thread {index + 1}",
                        created_at=created,
                        last_activity_at=created + timedelta(minutes=replies_per_thread),
                        reply_count=replies_per_thread,
                    )
                )
            Thread.objects.bulk_create(batch_threads, batch_size=BATCH)
            posts = []
            for offset, thread in enumerate(batch_threads):
                for number in range(posts_per_thread):
                    body, html = texts[counter % len(texts)]
                    counter += 1
                    posts.append(
                        Post(
                            thread=thread,
                            author=members[(made + offset + number) % len(members)],
                            is_opening=number == 0,
                            body=body,
                            body_html=html,
                            created_at=thread.created_at + timedelta(minutes=number),
                        )
                    )
            Post.objects.bulk_create(posts, batch_size=BATCH)
            Reaction.objects.bulk_create(
                [
                    Reaction(post=post, user=user, kind=kind, created_at=post.created_at)
                    for position, post in enumerate(posts)
                    for user, kind in (pairs[(position + k) % len(pairs)] for k in range(per_post))
                ],
                batch_size=BATCH,
            )
            Thread.objects.filter(pk__in=[thread.pk for thread in batch_threads]).update(
                last_post_id=Subquery(
                    Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True)
                    .order_by("-id")
                    .values("id")[:1]
                )
            )
            made += size
        refresh_counters([group])
