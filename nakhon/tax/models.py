"""The local revenue registers (issue #6): taxpayers, parcels, buildings, condominium units,
who owns or possesses them (with shares), their use per part, and signboards.

Every model is tenant-owned (``TenantModel``). Each record has a ``code``: its number in the
tax office's own register, unique per municipality, which the imports match on. Dates are CE;
the Buddhist Era is for input and display only. Every write goes through ``services`` and is
recorded in the audit log, which is the record's history.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from nakhon.core.models import TenantModel

SQ_WAH_PER_RAI = 400
SQ_WAH_PER_NGAN = 100


def rai_ngan_wah(square_wah: Decimal | None) -> str:
    """935 square wah → ``2-1-35`` (rai-ngan-square wah, as written on a title deed)."""
    if square_wah is None:
        return ""
    rai, rest = divmod(Decimal(square_wah), SQ_WAH_PER_RAI)
    ngan, wah = divmod(rest, SQ_WAH_PER_NGAN)
    wah_text = f"{wah.normalize():f}" if wah % 1 else str(int(wah))
    return f"{int(rai)}-{int(ngan)}-{wah_text}"


class Taxpayer(TenantModel):
    """A person or a juristic person who owns, possesses or pays tax on property or signs.

    ``PERSONAL_FIELDS`` are personal data under the PDPA: shown only to roles with
    ``personal_data.view`` (tax officers, administrators), and every read is audited.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        JURISTIC = "juristic", _("juristic person")

    PERSONAL_FIELDS = ("national_id", "title", "name", "address", "phone", "email")

    code = models.CharField(_("register number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    national_id = models.CharField(
        _("ID number"),
        max_length=13,
        help_text=_("Thai personal ID (person) or juristic person registration number, 13 digits."),
    )
    title = models.CharField(_("title"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=300)
    address = models.TextField(_("address"), blank=True)
    tambon = models.ForeignKey(
        "core.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tambon"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("taxpayer")
        verbose_name_plural = _("taxpayers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="tax_taxpayer_code_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality", "national_id"], name="tax_taxpayer_id_unique"
            ),
        ]

    def __str__(self) -> str:
        # never the name: __str__ ends up in the audit log's object text and in logs
        return f"{_('taxpayer')} {self.code}"


class Parcel(TenantModel):
    """A land parcel by its title deed; area stored in square wah (1 rai = 400 square wah)."""

    class DeedKind(models.TextChoices):
        CHANOTE = "chanote", _("title deed (chanote, น.ส.4 จ.)")
        NS3K = "ns3k", _("certificate of use (น.ส.3 ก.)")
        NS3 = "ns3", _("certificate of use (น.ส.3)")
        SK1 = "sk1", _("claim certificate (ส.ค.1)")
        SPK = "spk", _("land reform certificate (ส.ป.ก.)")
        OTHER = "other", _("other or none")

    code = models.CharField(_("register number"), max_length=40)
    deed_kind = models.CharField(
        _("title deed kind"), max_length=10, choices=DeedKind.choices, default=DeedKind.CHANOTE
    )
    deed_number = models.CharField(_("title deed number"), max_length=40, blank=True)
    parcel_number = models.CharField(_("parcel number"), max_length=40, blank=True)
    survey_page = models.CharField(_("survey page"), max_length=40, blank=True)
    area_sq_wah = models.DecimalField(
        _("area (square wah)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    price_per_sq_wah = models.DecimalField(
        _("appraisal price per square wah (baht)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    tambon = models.ForeignKey(
        "core.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tambon"),
    )
    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="tax_parcel_code_unique")
        ]

    def __str__(self) -> str:
        return f"{_('parcel')} {self.code}"

    @property
    def area_rnw(self) -> str:
        return rai_ngan_wah(self.area_sq_wah)


class Building(TenantModel):
    """A building (สิ่งปลูกสร้าง), by the Treasury's building-cost class and its structure."""

    class Structure(models.TextChoices):
        MASONRY = "masonry", _("masonry (ตึก)")
        HALF_MASONRY = "half_masonry", _("half masonry (ตึกครึ่งไม้)")
        WOOD = "wood", _("wood (ไม้)")

    code = models.CharField(_("register number"), max_length=40)
    parcel = models.ForeignKey(
        Parcel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name=_("parcel"),
    )
    building_class = models.CharField(
        _("building class"),
        max_length=20,
        help_text=_("Code of the Treasury Department's building cost classes."),
    )
    structure = models.CharField(
        _("structure"), max_length=14, choices=Structure.choices, default=Structure.MASONRY
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    year_built = models.PositiveSmallIntegerField(
        _("year built (CE)"), null=True, blank=True, help_text=_("Entered in B.E., stored in CE.")
    )
    floors = models.PositiveSmallIntegerField(
        _("floors"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    price_per_m2 = models.DecimalField(
        _("building price per m² (baht)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="tax_building_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{_('building')} {self.code}"

    def age_years(self, tax_year_be: int) -> int | None:
        """Completed years of age on 1 January of the tax year (None when unknown)."""
        if self.year_built is None:
            return None
        return max(0, tax_year_be - 543 - self.year_built)


class CondoUnit(TenantModel):
    """A condominium unit (ห้องชุด), valued by its area and the unit price per m²."""

    code = models.CharField(_("register number"), max_length=40)
    condominium = models.CharField(_("condominium"), max_length=200)
    unit_number = models.CharField(_("unit number"), max_length=40)
    floor = models.CharField(_("floor"), max_length=10, blank=True)
    deed_number = models.CharField(_("unit title deed number"), max_length=40, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    price_per_m2 = models.DecimalField(
        _("appraisal price per m² (baht)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    tambon = models.ForeignKey(
        "core.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tambon"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("condominium unit")
        verbose_name_plural = _("condominium units")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="tax_unit_code_unique")
        ]

    def __str__(self) -> str:
        return f"{_('condominium unit')} {self.code}"


_ONE_TARGET = (
    Q(parcel__isnull=False, building__isnull=True, unit__isnull=True)
    | Q(parcel__isnull=True, building__isnull=False, unit__isnull=True)
    | Q(parcel__isnull=True, building__isnull=True, unit__isnull=False)
)


class Holding(TenantModel):
    """A taxpayer owns or possesses a share of one parcel, building or condominium unit."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        POSSESSOR = "possessor", _("possessor")

    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("taxpayer")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, null=True, blank=True, related_name="holdings"
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, null=True, blank=True, related_name="holdings"
    )
    unit = models.ForeignKey(
        CondoUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="holdings"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OWNER)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = _("ownership or possession")
        verbose_name_plural = _("ownership and possession")
        constraints = [models.CheckConstraint(condition=_ONE_TARGET, name="tax_holding_one_target")]

    def __str__(self) -> str:
        target = self.parcel or self.building or self.unit
        return f"{self.taxpayer} → {target} ({self.share_percent} %)"


class PropertyUse(TenantModel):
    """The use of a part of a parcel, building or unit; mixed use is several rows with shares."""

    class Use(models.TextChoices):
        AGRICULTURAL = "agricultural", _("agricultural")
        RESIDENTIAL_PRIMARY = "residential_primary", _("residential: primary home (house register)")
        RESIDENTIAL_BUILDING_ONLY = (
            "residential_building_only",
            _("residential: building owner's home on another's land"),
        )
        RESIDENTIAL_OTHER = "residential_other", _("residential: other")
        COMMERCIAL = "commercial", _("commercial and other use")
        VACANT = "vacant", _("vacant or unused")

    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    unit = models.ForeignKey(
        CondoUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    use = models.CharField(_("use"), max_length=30, choices=Use.choices)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    vacant_since = models.DateField(_("vacant since"), null=True, blank=True)

    class Meta:
        verbose_name = _("use")
        verbose_name_plural = _("uses")
        constraints = [models.CheckConstraint(condition=_ONE_TARGET, name="tax_use_one_target")]

    def __str__(self) -> str:
        return f"{self.get_use_display()} {self.share_percent} %"


class Signboard(TenantModel):
    """A signboard (ป้าย) for the signboard tax: size in cm, sign type 1-3, moving or fixed."""

    class SignType(models.IntegerChoices):
        THAI_ONLY = 1, _("1: Thai text only")
        THAI_MIXED = 2, _("2: Thai mixed with foreign text or pictures")
        NO_THAI = 3, _("3: no Thai, or Thai below the foreign text")

    code = models.CharField(_("register number"), max_length=40)
    owner = models.ForeignKey(
        Taxpayer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signboards",
        verbose_name=_("owner"),
    )
    business_name = models.CharField(_("business name"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    tambon = models.ForeignKey(
        "core.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tambon"),
    )
    width_cm = models.PositiveIntegerField(_("width (cm)"))
    height_cm = models.PositiveIntegerField(_("height (cm)"))
    sign_type = models.PositiveSmallIntegerField(_("sign type"), choices=SignType.choices)
    moving = models.BooleanField(_("moving or changing"), default=False)
    faces = models.PositiveSmallIntegerField(_("faces"), default=1)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    exemption = models.CharField(
        _("exemption"), max_length=40, blank=True, help_text=_("A code of the year's rule file.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("signboard")
        verbose_name_plural = _("signboards")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="tax_signboard_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{_('signboard')} {self.code}"


# --- the assessment cycle: runs, assessments, notices ---------------------------------------


class TaxKind(models.TextChoices):
    SIGNBOARD = "signboard", _("signboard tax")
    LAND_BUILDING = "land_building", _("land and building tax")


class AssessmentRun(TenantModel):
    """One assessment of a whole register for a tax kind and a B.E. tax year.

    Worked in the background (``nakhon.tax.assessments``): state and progress are on the row,
    which the officer's page polls. ``done`` runs hold draft assessments to review; ``issued``
    runs have numbered notices. ``rules_hash`` identifies the exact rules used.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done: to review")
        FAILED = "failed", _("failed")
        ISSUED = "issued", _("issued")

    FINAL = frozenset({"done", "failed", "issued"})

    kind = models.CharField(_("tax"), max_length=14, choices=TaxKind.choices)
    tax_year = models.PositiveSmallIntegerField(_("tax year (B.E.)"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="queued")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    records = models.PositiveIntegerField(_("register records"), default=0)
    assessment_count = models.PositiveIntegerField(_("assessments"), default=0)
    exempt_count = models.PositiveIntegerField(_("assessments with no tax"), default=0)
    total_baht = models.DecimalField(
        _("total tax (baht)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    rules_version = models.CharField(_("rules"), max_length=200, blank=True)
    rules_hash = models.CharField(_("rules hash"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    worker = models.CharField(max_length=200, blank=True)  # "host:pid" of the process at work
    task_id = models.CharField(max_length=64, blank=True)  # its background task (Tasks API)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("assessment run")
        verbose_name_plural = _("assessment runs")

    def __str__(self) -> str:
        return f"{_('assessment run')} {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL


class Assessment(TenantModel):
    """The tax of one taxpayer for one tax kind and year, with its explanation (``steps``).

    A correction makes a new assessment that supersedes the old one (kept, status
    ``superseded``): the history an appeal needs.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")
        SUPERSEDED = "superseded", _("superseded")

    run = models.ForeignKey(
        AssessmentRun, on_delete=models.PROTECT, related_name="assessments", null=True, blank=True
    )
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("taxpayer")
    )
    kind = models.CharField(_("tax"), max_length=14, choices=TaxKind.choices)
    tax_year = models.PositiveSmallIntegerField(_("tax year (B.E.)"))
    tax_baht = models.DecimalField(_("tax (baht)"), max_digits=16, decimal_places=2)
    steps = models.JSONField(_("explanation"), default=list)
    records = models.JSONField(_("register records"), default=list)  # [[kind, code], …]
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    payment_reference = models.CharField(_("payment reference"), max_length=20, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # Signboard Tax Act §25(1)(2) surcharges (late or no ภ.ป.1, understated return), part of
    # the amount due on the ภ.ป.3 but not of the tax (nakhon.tax.filings)
    filing_charges_baht = models.DecimalField(
        _("surcharges for the return (baht)"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    rules_hash = models.CharField(_("rules hash"), max_length=64, blank=True)
    parcels = models.ManyToManyField(Parcel, blank=True, related_name="+")
    buildings = models.ManyToManyField(Building, blank=True, related_name="+")
    units = models.ManyToManyField(CondoUnit, blank=True, related_name="+")
    signboards = models.ManyToManyField(Signboard, blank=True, related_name="+")

    class Meta:
        ordering = ["taxpayer__code", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["municipality", "kind", "tax_year", "status"])]

    def __str__(self) -> str:
        return f"{_('assessment')} {self.pk}"


class Notice(TenantModel):
    """An assessment notice: ภ.ด.ส.6 (land and building tax) or ภ.ป.3 (signboard tax).

    ``number`` runs per municipality, form and tax year (``sequence``); ``pdf`` is the path of
    the last PDF printed (under NAKHON_DATA_DIR), empty until printed.
    """

    class Form(models.TextChoices):
        PDS6 = "pds6", "ภ.ด.ส.6"
        PP3 = "pp3", "ภ.ป.3"

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="notice")
    form = models.CharField(_("form"), max_length=4, choices=Form.choices)
    tax_year = models.PositiveSmallIntegerField(_("tax year (B.E.)"))
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("notice number"), max_length=40)
    issued_at = models.DateTimeField(_("issued at"))
    # when the taxpayer received it (a return receipt, the post office's list): the signboard
    # tax is due 15 days after it (nakhon.tax.deliveries); unknown: counted from issued_at
    received_on = models.DateField(_("received on"), null=True, blank=True)
    pdf = models.CharField(_("PDF"), max_length=500, blank=True)

    class Meta:
        ordering = ["form", "tax_year", "sequence"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "form", "tax_year", "sequence"],
                name="tax_notice_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.number}"


# --- collection: payments, installments, reminders, objections, targets (issue #6) -----------
# (nakhon.tax.payments, nakhon.tax.arrears, nakhon.tax.objections)


class Payment(TenantModel):
    """A payment on an issued assessment, with its receipt.

    ``allocations`` says what it paid: per part of the debt (the whole tax, or an installment)
    the tax (``principal``) and the late charges (``charges``) with the engine's explanation
    steps, computed from that part's due date and ``paid_on``. A reversal keeps the row (with
    the reason, who and when) and no longer counts.
    """

    class Channel(models.TextChoices):
        COUNTER = "counter", _("at the counter")
        TRANSFER = "transfer", _("bank transfer")
        BANK_IMPORT = "bank_import", _("bank statement import")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="payments", verbose_name=_("assessment")
    )
    amount_baht = models.DecimalField(_("amount (baht)"), max_digits=16, decimal_places=2)
    principal_baht = models.DecimalField(_("tax paid (baht)"), max_digits=16, decimal_places=2)
    charges_baht = models.DecimalField(
        _("penalty and surcharge paid (baht)"), max_digits=16, decimal_places=2
    )
    allocations = models.JSONField(_("allocation"), default=list)
    paid_on = models.DateField(_("paid on"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    installment_number = models.PositiveSmallIntegerField(_("installment"), null=True, blank=True)
    bank_reference = models.CharField(_("bank transaction reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reversed = models.BooleanField(_("reversed"), default=False)
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)
    reversed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "receipt_number"],
                name="tax_payment_receipt_unique",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "paid_on"])]

    def __str__(self) -> str:
        return f"{_('receipt')} {self.receipt_number}"


class Installment(TenantModel):
    """One installment of an assessment's tax, where the rules allow paying in parts
    (land and building tax: 3 installments from 3,000 baht, Act §52)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="installments"
    )
    number = models.PositiveSmallIntegerField(_("installment"))
    due_on = models.DateField(_("due on"))
    amount_baht = models.DecimalField(_("amount (baht)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["assessment", "number"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="tax_installment_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{_('installment')} {self.number}"


class Reminder(TenantModel):
    """A reminder or a warning notice (หนังสือแจ้งเตือน) sent about an unpaid assessment.

    The land and building tax penalty depends on the warning notice: 10 % when paid late
    before it is received, 20 % within its deadline, 40 % after (Act §68, via the rule file).
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        WARNING = "warning", _("warning notice")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    respond_by = models.DateField(_("pay by"), null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_on", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_on}"


class Objection(TenantModel):
    """An objection to or appeal against an assessment, its decision, and the re-assessment."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        PARTLY = "partly", _("partly accepted")
        REJECTED = "rejected", _("rejected")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="objections")
    filed_on = models.DateField(_("filed on"))
    grounds = models.TextField(_("grounds"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default="pending"
    )
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reassessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{_('objection')} {self.pk}"


class CollectionTarget(TenantModel):
    """The revenue the tax office plans to collect in a fiscal year (B.E.) for one tax."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    kind = models.CharField(_("tax"), max_length=14, choices=TaxKind.choices)
    target_baht = models.DecimalField(_("target (baht)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["-fiscal_year", "kind"]
        verbose_name = _("collection target")
        verbose_name_plural = _("collection targets")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "kind"], name="tax_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.fiscal_year}"


# --- the signboard registers of returns and photos (issue #6) -------------------------------
# (nakhon.tax.filings, nakhon.tax.photos)


class SignboardFilingYear(TenantModel):
    """The tax office's statement that its ภ.ป.1 register of a tax year is complete: every
    return received that year is recorded. Only then does a sign with no recorded return count
    as never filed (Signboard Tax Act §25(1), 10 %); until then only returns recorded as late
    are charged, so a register kept in part never charges the owners whose returns were not
    entered."""

    tax_year = models.PositiveSmallIntegerField(_("tax year (B.E.)"))
    declared_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared complete at"), auto_now_add=True)

    class Meta:
        verbose_name = _("complete ภ.ป.1 register of a year")
        verbose_name_plural = _("complete ภ.ป.1 registers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "tax_year"], name="tax_filing_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"ภ.ป.1 register {self.tax_year} complete"


class SignboardFiling(TenantModel):
    """A ภ.ป.1 return the tax office received: the yearly one (within March), or that of a new
    or changed sign (within 15 days of the installation or change), Signboard Tax Act §12.

    Late or missing returns and understated ones bear the surcharges of §25(1)(2), which the
    signboard assessment adds to the amount due (``nakhon.tax.filings``).
    """

    class Kind(models.TextChoices):
        YEARLY = "yearly", _("yearly return")
        NEW = "new", _("new sign")
        CHANGED = "changed", _("changed sign")

    owner = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="sign_filings", verbose_name=_("owner")
    )
    tax_year = models.PositiveSmallIntegerField(_("tax year (B.E.)"))
    kind = models.CharField(_("kind of return"), max_length=8, choices=Kind.choices)
    signboards = models.ManyToManyField(
        Signboard, related_name="filings", verbose_name=_("signs covered")
    )
    filed_on = models.DateField(_("filed on"))
    changed_on = models.DateField(
        _("sign changed on"), null=True, blank=True, help_text=_("For a changed sign.")
    )
    declared_tax_baht = models.DecimalField(
        _("tax on the declared figures (baht)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    prompted = models.BooleanField(
        _("filed after the tax office notified the omission"), default=False
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-tax_year", "filed_on", "pk"]
        verbose_name = _("signboard tax return (ภ.ป.1)")
        verbose_name_plural = _("signboard tax returns (ภ.ป.1)")
        indexes = [models.Index(fields=["municipality", "tax_year"])]

    def __str__(self) -> str:
        return f"{_('ภ.ป.1')} {self.pk} ({self.tax_year})"


class SignboardPhoto(TenantModel):
    """A photo of a signboard, kept under the data directory and served to tax staff only
    (``nakhon.tax.photos``); the sign's location is the register's, never the file's EXIF."""

    signboard = models.ForeignKey(
        Signboard, on_delete=models.CASCADE, related_name="photos", verbose_name=_("signboard")
    )
    path = models.CharField(max_length=300)  # relative to NAKHON_DATA_DIR/tax-photos/
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField(default=0)
    width_px = models.PositiveIntegerField(default=0)
    height_px = models.PositiveIntegerField(default=0)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["signboard", models.F("taken_on").desc(nulls_last=True), "pk"]
        verbose_name = _("signboard photo")
        verbose_name_plural = _("signboard photos")

    def __str__(self) -> str:
        return f"{_('photo')} {self.pk}"


@receiver(post_delete, sender=SignboardPhoto)
def _signboard_photo_deleted(sender: type, instance: SignboardPhoto, **kwargs: object) -> None:
    from nakhon.tax.photos import remove_file

    remove_file(instance)
