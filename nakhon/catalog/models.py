"""The data catalog: datasets with GD Catalog metadata, their schema, versions and ingest runs.

The rows of a published dataset live in the Iceberg lake (``nakhon.lake``); these models hold
the metadata, the table schema, and the record of who published what and when. The lake's
snapshot is the truth about what is published; ``DatasetVersion`` mirrors it with the people
and the report (ARCHITECTURE.md, 4).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nakhon.catalog import vocab
from nakhon.core.models import TenantModel

SLUG = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lower-case letters, digits and hyphens.")
)


class Theme(TenantModel):
    """A theme (CKAN group) that datasets belong to, e.g. สาธารณสุข, การคลัง."""

    slug = models.CharField(_("slug"), max_length=60, validators=[SLUG])
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="theme_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name_th


class Tag(TenantModel):
    name = models.CharField(_("tag"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="tag_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Dataset(TenantModel):
    """A dataset of a department, described with the GD Catalog field set."""

    class Mode(models.TextChoices):
        REPLACE = "replace", _("Replace all rows (registers)")
        APPEND = "append", _("Append rows (time series)")
        UPSERT = "upsert", _("Update by primary key, add new keys")

    class Policy(models.TextChoices):
        ALL_OR_NOTHING = "valid-only", _("Publish only if every row is valid")
        QUARANTINE = "quarantine", _("Publish valid rows, quarantine the rest")

    slug = models.CharField(_("slug"), max_length=80, validators=[SLUG])
    title_th = models.CharField(_("title (Thai)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("organisation"),
    )
    maintainer = models.CharField(_("contact person"), max_length=200, blank=True)
    maintainer_email = models.EmailField(_("contact e-mail"), blank=True)
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("data steward"),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")

    # GD Catalog metadata
    data_type = models.CharField(
        _("data type"), max_length=20, choices=vocab.choices(vocab.DATA_TYPES), default="record"
    )
    classification = models.CharField(
        _("data classification"),
        max_length=20,
        choices=vocab.choices(vocab.CLASSIFICATIONS),
        default="public",
    )
    objective = models.JSONField(_("objective"), default=list, blank=True)
    objective_other = models.CharField(_("objective (other)"), max_length=300, blank=True)
    update_frequency_unit = models.CharField(
        _("update frequency unit"),
        max_length=20,
        choices=vocab.choices(vocab.FREQUENCY_UNITS),
        default="year",
    )
    update_frequency_interval = models.PositiveIntegerField(
        _("update frequency interval"), default=1, validators=[MinValueValidator(1)]
    )
    geo_coverage = models.CharField(
        _("geographic coverage"),
        max_length=20,
        choices=vocab.choices(vocab.GEO_COVERAGES),
        default="municipality",
    )
    data_source = models.CharField(_("source"), max_length=300, blank=True)
    data_format = models.JSONField(_("format"), default=list, blank=True)
    license = models.CharField(
        _("licence"), max_length=20, choices=vocab.choices(vocab.LICENSES), default="cc-by-4.0"
    )
    accessible_condition = models.TextField(_("accessible condition"), blank=True)
    data_collect = models.CharField(
        _("smallest unit of collection"),
        max_length=20,
        choices=vocab.choices(vocab.COLLECTION_UNITS),
        default="none",
    )
    data_language = models.JSONField(_("language"), default=list, blank=True)
    url = models.URLField(_("URL"), blank=True)
    created_date = models.DateField(_("created"), null=True, blank=True)
    release_calendar = models.DateField(_("release calendar"), null=True, blank=True)
    # statistical datasets
    first_year_be = models.PositiveIntegerField(
        _("first year of data (B.E.)"), null=True, blank=True
    )
    last_year_be = models.PositiveIntegerField(_("last year of data (B.E.)"), null=True, blank=True)
    disaggregate = models.JSONField(_("disaggregation"), default=list, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=100, blank=True)
    unit_multiplier = models.CharField(
        _("unit multiplier"), max_length=20, choices=vocab.choices(vocab.MULTIPLIERS), blank=True
    )
    calculation_method = models.TextField(_("calculation method"), blank=True)
    standard = models.CharField(_("standard"), max_length=300, blank=True)
    # geospatial datasets
    geographic_data_set = models.CharField(
        _("geographic data set"),
        max_length=20,
        choices=vocab.choices(vocab.GEOGRAPHIC_DATA_SETS),
        blank=True,
    )
    equivalent_scale = models.CharField(_("equivalent scale"), max_length=50, blank=True)
    # the values of the metadata fields plugins add (nakhon.catalog.extras), by field name
    extras = models.JSONField(_("extra metadata"), default=dict, blank=True)

    # the table
    table_schema = models.JSONField(_("table schema"), default=dict, blank=True)
    mode = models.CharField(
        _("publish mode"), max_length=10, choices=Mode.choices, default=Mode.REPLACE
    )
    policy = models.CharField(
        _("publish policy"), max_length=12, choices=Policy.choices, default=Policy.ALL_OR_NOTHING
    )
    source_url = models.URLField(_("source URL to pull"), max_length=500, blank=True)
    pull_every_hours = models.PositiveIntegerField(_("pull every (hours)"), null=True, blank=True)
    notify_webhook = models.URLField(_("webhook for overdue notices"), max_length=500, blank=True)

    # state, kept by the publishing service
    last_published_at = models.DateTimeField(_("last published"), null=True, blank=True)
    current_snapshot_id = models.BigIntegerField(null=True, blank=True, editable=False)
    row_count = models.BigIntegerField(_("rows"), null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # popularity, counted on public reads (page views and downloads)
    view_count = models.PositiveBigIntegerField(_("views"), default=0, editable=False)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0, editable=False)

    class Meta:
        ordering = ["title_th"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="dataset_slug_unique")
        ]
        # catalog search checks, on every search, whether the catalog changed (count, latest
        # change, which datasets are public): answered from this index alone
        indexes = [
            models.Index(
                fields=["municipality", "classification", "updated_at"], name="dataset_search_state"
            )
        ]

    def __str__(self) -> str:
        return self.title_th

    def title(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "th"
        return self.title_en if lang.startswith("en") and self.title_en else self.title_th

    @property
    def is_public(self) -> bool:
        return self.classification in vocab.PUBLIC_CLASSIFICATIONS

    def personal_columns(self) -> list[str]:
        return [c["name"] for c in self.table_schema.get("columns", []) if c.get("personal")]


class Resource(TenantModel):
    """A table, file or link of a dataset (the table resource is the lake table itself)."""

    class Kind(models.TextChoices):
        TABLE = "table", _("table")
        FILE = "file", _("file")
        LINK = "link", _("link")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TABLE)
    name_th = models.CharField(_("name (Thai)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    format = models.CharField(_("format"), max_length=20, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)

    class Meta:
        ordering = ["dataset", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.name_th


class IngestRun(TenantModel):
    """One attempt to bring a file into a dataset: read → validate → report → publish."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        READING = "reading", _("reading")
        VALIDATING = "validating", _("validating")
        PUBLISHING = "publishing", _("publishing")
        PUBLISHED = "published", _("published")
        VALIDATED = "validated", _("validated (not published)")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")

    FINAL = frozenset({"published", "validated", "rejected", "failed"})

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="runs", null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    publish = models.BooleanField(_("publish when valid"), default=True)
    source_name = models.CharField(_("source"), max_length=500)
    stored_file = models.CharField(max_length=500, blank=True)  # the upload, for publishing
    worker = models.CharField(max_length=200, blank=True)  # "host:pid" of the process at work
    task_id = models.CharField(max_length=64, blank=True)  # its background task (Tasks API)
    source_info = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=10, blank=True)
    policy = models.CharField(max_length=12, blank=True)
    rows_read = models.BigIntegerField(default=0)
    rows_valid = models.BigIntegerField(null=True, blank=True)
    rows_error = models.BigIntegerField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    summary = models.JSONField(default=dict, blank=True)  # report: counts + first problems
    report_file = models.CharField(max_length=500, blank=True)  # whole problem list (CSV)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.TextField(blank=True)
    snapshot_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ingest run")
        verbose_name_plural = _("ingest runs")

    def __str__(self) -> str:
        return f"run {self.pk} {self.source_name} ({self.state})"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL


class DatasetVersion(TenantModel):
    """A published version: one Iceberg snapshot of the dataset's table, with who and how."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot_id = models.BigIntegerField()
    run = models.ForeignKey(
        IngestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    committed_at = models.DateTimeField(_("published"))
    operation = models.CharField(max_length=20, blank=True)
    rows_total = models.BigIntegerField(null=True, blank=True)
    rows_added = models.BigIntegerField(null=True, blank=True)
    rows_deleted = models.BigIntegerField(null=True, blank=True)
    table_schema = models.JSONField(default=dict, blank=True)
    schema_changes = models.JSONField(default=list, blank=True)
    source_name = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["dataset", "snapshot_id"], name="version_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} v{self.number}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "snapshot_id": self.snapshot_id,
            "published_at": self.committed_at.isoformat(),
            "published_by": self.actor_label,
            "operation": self.operation,
            "rows_total": self.rows_total,
            "rows_added": self.rows_added,
            "rows_deleted": self.rows_deleted,
            "schema_changes": self.schema_changes,
            "source": self.source_name,
        }
