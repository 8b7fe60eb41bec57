"""The demo city: Khon Kaen City Municipality (and Sila, to show a second tenant).

One builder serves ``nakhon demo``, the test fixtures (``nakhon.testing``) and the docs. Real
data where it exists (boundaries, administrative codes: ``data/README.md``); generated,
deterministic records where no public data exists (staff). Every write goes through the
services, so the demo's audit log is a genuine one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from nakhon.accounts.models import Department, Membership, Municipality, User
from nakhon.accounts.onboarding import municipality_onboard, profile_load
from nakhon.accounts.services import membership_grant
from nakhon.core.audit import origin
from nakhon.core.models import AuditEvent
from nakhon.core.permissions import Role
from nakhon.core.reference import admin_areas_ensure

PROFILES = Path(__file__).parent / "profiles"
DEMO_SLUGS = ("khon-kaen", "sila")
SEED = 2568

FIRST_NAMES = [
    ("สมชาย", "Somchai"),
    ("สมศรี", "Somsri"),
    ("วิไลวรรณ", "Wilaiwan"),
    ("ประเสริฐ", "Prasert"),
    ("กนกพร", "Kanokporn"),
    ("ธนากร", "Thanakorn"),
    ("สุภาพร", "Supaporn"),
    ("อนุชา", "Anucha"),
    ("พิมพ์ชนก", "Pimchanok"),
    ("ณัฐวุฒิ", "Natthawut"),
    ("จิราพร", "Jiraporn"),
    ("วีระพงษ์", "Weerapong"),
]
LAST_NAMES = [
    ("ศรีสุข", "Srisuk"),
    ("แก้วมณี", "Kaewmanee"),
    ("บุญมา", "Boonma"),
    ("พลอยงาม", "Ploy-ngam"),
    ("ทองดี", "Thongdee"),
    ("จันทร์หอม", "Janhom"),
    ("วงศ์ใหญ่", "Wongyai"),
    ("ภูมิภักดี", "Phumiphakdi"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    department: str
    position_th: str


KHON_KAEN_STAFF = (
    DemoUser("kk-admin", Role.ADMIN, "strategy", "นักวิชาการคอมพิวเตอร์ชำนาญการ"),
    DemoUser("kk-executive", Role.EXECUTIVE, "clerk", "ปลัดเทศบาล"),
    DemoUser("kk-steward", Role.DATA_STEWARD, "strategy", "นักวิเคราะห์นโยบายและแผน"),
    DemoUser("kk-tax", Role.TAX_OFFICER, "finance", "นักวิชาการจัดเก็บรายได้"),
    DemoUser("kk-engineer", Role.ENGINEER, "engineering", "วิศวกรโยธา"),
    DemoUser("kk-viewer", Role.VIEWER, "health", "นักวิชาการสาธารณสุข"),
)
SILA_STAFF = (
    DemoUser("sila-admin", Role.ADMIN, "clerk", "นักจัดการงานทั่วไป"),
    DemoUser("sila-steward", Role.DATA_STEWARD, "finance", "นักวิชาการเงินและบัญชี"),
)
STAFF = {"khon-kaen": KHON_KAEN_STAFF, "sila": SILA_STAFF}
PLATFORM_ADMIN = "admin"


@dataclass
class DemoResult:
    municipalities: list[Municipality] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    created: bool = False


def _person(rng: random.Random, username: str) -> dict[str, str]:
    first_th, first_en = rng.choice(FIRST_NAMES)
    last_th, last_en = rng.choice(LAST_NAMES)
    return {
        "first_name": first_en,
        "last_name": last_en,
        "full_name_th": f"{first_th} {last_th}",
        "email": f"{username}@demo.nakhon.example",
        "phone": f"08{rng.randint(0, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
    }


def _user(rng: random.Random, username: str, *, password: str, **extra: bool) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **_person(rng, username), **extra)
        user.set_password(password)
        user.save()
    return user


def demo_exists() -> bool:
    return Municipality.objects.filter(slug=DEMO_SLUGS[0]).exists()


def build_demo(
    *,
    password: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
    tax_collection: bool = True,
) -> DemoResult:
    """Build the demo cities into the current database; idempotent (a second run adds nothing).

    ``password`` is every demo user's password (default: setting NAKHON_DEMO_PASSWORD). The
    people and cities are one transaction; the datasets are then published one by one through
    the real pipeline (each publish is its own atomic lake commit). ``tax_collection``: the
    tax year 2568 issued, paid in part, reminded and objected to (``nakhon.tax.demo``); the
    test database leaves it out (the tax tests run their own cycle of 2568 from a clean slate;
    the ``demo_collection`` fixture adds it).
    """
    result = _build_people(password=password, log=log)
    platform = User.objects.get(username=PLATFORM_ADMIN)
    with origin(via=AuditEvent.Via.CLI):
        _build_tax_register(result.municipalities[0], log, collection=tax_collection)
        _build_datasets(result.municipalities[0], platform, log)
    return result


@transaction.atomic
def _build_tax_register(
    municipality: Municipality, log: Callable[[str], None], *, collection: bool = True
) -> None:
    from nakhon.tax.demo import build_tax_collection, build_tax_register

    officer = User.objects.get(username="kk-tax")
    build_tax_register(municipality, officer, log)
    if collection:
        build_tax_collection(municipality, officer, log)


@transaction.atomic
def _build_people(
    *, password: str | None = None, log: Callable[[str], None] = lambda _m: None
) -> DemoResult:
    """Build the demo cities into the current database; idempotent (a second run adds nothing).

    ``password`` is every demo user's password (default: setting NAKHON_DEMO_PASSWORD).
    """
    password = password or settings.NAKHON_DEMO_PASSWORD
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not secrets
    result = DemoResult(created=not demo_exists())
    with origin(via=AuditEvent.Via.CLI):
        added = admin_areas_ensure()
        if added:
            log(f"reference: {added:,} Thai administrative areas (DOPA codes) loaded")
        platform = _user(rng, PLATFORM_ADMIN, password=password, is_staff=True, is_superuser=True)
        result.users.append(platform)
        for slug in DEMO_SLUGS:
            profile = profile_load(PROFILES / f"{slug}.toml")
            exists = Municipality.objects.filter(slug=slug).exists()
            municipality = (
                Municipality.objects.get(slug=slug)
                if exists
                else municipality_onboard(profile=profile, actor=platform)
            )
            result.municipalities.append(municipality)
            m = municipality
            log(f"municipality: {m.name_th} ({m.slug}, LAO {m.lao_code})")
            for spec in STAFF[slug]:
                user = _user(
                    rng, spec.username, password=password, is_staff=spec.role == Role.ADMIN
                )
                result.users.append(user)
                if Membership.objects.filter(
                    municipality=municipality, user=user, role=spec.role
                ).exists():
                    continue
                membership_grant(
                    actor=platform,
                    municipality=municipality,
                    user=user,
                    role=spec.role,
                    department=Department.objects.get(
                        municipality=municipality, code=spec.department
                    ),
                    position_th=spec.position_th,
                )
                log(f"  staff: {spec.username} ({spec.role})")
    return result


def _build_datasets(municipality: Municipality, platform: User, log: Callable[[str], None]) -> None:
    """Publish the demo datasets through the real pipeline (idempotent)."""
    import tempfile
    from pathlib import Path as _Path

    from nakhon.catalog.models import Dataset
    from nakhon.demo.datasets import demo_datasets
    from nakhon.ingestion.pipeline import ingest

    steward = User.objects.filter(username="kk-steward").first() or platform
    for spec in demo_datasets():
        dataset = Dataset.objects.filter(municipality=municipality, slug=spec.slug).first()
        if dataset is not None and dataset.versions.exists():
            continue
        with tempfile.TemporaryDirectory(prefix="nakhon-demo-") as folder:
            for i, (name, content) in enumerate(spec.files):
                path = _Path(folder) / name
                path.write_bytes(content)
                result = ingest(
                    actor=steward,
                    municipality=municipality,
                    dataset_slug=spec.slug,
                    path=path,
                    create=spec.metadata if i == 0 else None,
                )
                assert result.version is not None
                log(
                    f"  dataset: {spec.slug} v{result.version.number} "
                    f"({result.version.rows_total} rows from {name})"
                )


def demo_users() -> list[tuple[str, str, str]]:
    """(username, municipality slug, role) of every demo login, for the printed tour."""
    rows = [(PLATFORM_ADMIN, "*", "platform superuser")]
    for slug, staff in STAFF.items():
        rows += [(s.username, slug, s.role) for s in staff]
    return rows
