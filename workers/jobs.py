"""Job functions for rq workers: open an app context, call a service, commit, return a pointer."""

import os
from contextlib import contextmanager

from flask import current_app, has_app_context

from logistics.areas.layers import warm_layers
from logistics.areas.services import load_boundary_file, summarize
from logistics.core import jobs, uploads
from logistics.core.audit import acting_as
from logistics.core.database import transaction
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.victims.figures import warm_event_matrix

_app = None


@contextmanager
def job_context(job_id: str):
    """An app context (the worker's, or a new one) acting as the user who started the job."""
    global _app
    if has_app_context():
        app = current_app._get_current_object()
        ctx = None
    else:
        if _app is None:
            from logistics import create_app

            _app = create_app()
        app = _app
        ctx = app.app_context()
        ctx.push()
    try:
        # A forked work horse must not reuse the parent's database connections.
        if app.extensions.get("posko_pid") != os.getpid():
            db.engine.dispose(close=False)
            app.extensions["posko_pid"] = os.getpid()
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None
        name = record.user.username if record and record.user else "sistem"
        scope = record.user.scope.label if record and record.user else None
        with acting_as(user_id, name, scope):
            yield
    finally:
        # Only clean up a context we opened: in-process runs share the caller's session.
        if ctx is not None:
            db.session.remove()
            ctx.pop()


def _record_areas(job_id: str) -> tuple[str, ...]:
    """The record scope of the user who started the job (empty: the whole office area)."""
    record = db.session.get(JobRecord, job_id)
    return record.user.scope.record if record and record.user else ()


def load_boundaries(
    job_id: str,
    path: str,
    level: str = "kelurahan",
    mapping: dict | None = None,
    version: str | None = None,
    source_name: str | None = None,
    layer: str | None = None,
) -> dict:
    """Load an uploaded boundary file into the administrative spine."""
    with job_context(job_id):

        def work():
            result = load_boundary_file(
                path,
                level=level,
                mapping=mapping,
                version=version,
                source_name=source_name,
                progress=jobs.report_progress,
                layer=layer,
            )
            return result, f"{result['features']} wilayah dimuat. {summarize(result['stats'])}"

        outcome = jobs.run_tracked(job_id, work)
        # The first map opened after a load would otherwise simplify the new outlines (seconds
        # for a province) while a person waits.
        warm_layers()
        return outcome


def victim_import_dry_run(
    job_id: str,
    path: str,
    event_id: int,
    default_status: str | None = None,
    source_name: str | None = None,
) -> dict:
    """Check an uploaded victim list and report accepted and rejected rows; writes no victims."""
    from logistics.victims import imports as victim_import

    with job_context(job_id):

        def work():
            result = victim_import.dry_run(
                path,
                event_id,
                job_id,
                default_status,
                progress=jobs.report_progress,
                record_areas=_record_areas(job_id),
            )
            result.update(source_name=source_name, default_status=default_status)
            return result, "Pemeriksaan selesai: " + victim_import.summarize(
                result["counts"], imported=False
            )

        return jobs.run_tracked(job_id, work)


def import_victims(
    job_id: str,
    path: str,
    event_id: int,
    dry_run_job_id: str | None = None,
    default_status: str | None = None,
    source_name: str | None = None,
) -> dict:
    """Import the accepted rows of a checked victim list, all in one transaction."""
    from logistics.victims import imports as victim_import

    with job_context(job_id):
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None

        def work():
            result = victim_import.import_victims(
                path,
                event_id,
                job_id,
                default_status,
                user_id=user_id,
                source_name=source_name,
                progress=jobs.report_progress,
                record_areas=_record_areas(job_id),
            )
            result.update(dry_run_job_id=dry_run_job_id, source_name=source_name)
            return result, victim_import.summarize(result["counts"], imported=True)

        outcome = jobs.run_tracked(job_id, work)
        if outcome.get("ok"):
            # Imported rows live in the registry now; the uploaded copy of personal data goes.
            uploads.discard_upload(path)
        return outcome


def _spreadsheet_import(job_id: str, path: str, run, summarize, report_result, keep) -> dict:
    """Run an all-or-nothing import (Tagana members, budget plans) on its stored upload.

    `run(data)` checks (and may save) the file and returns its report. The upload is deleted
    once nothing more can come of it: after the import, or after a check with errors (no
    confirmation follows one); `keep` says which finished reports still wait for a confirm.
    """
    with job_context(job_id):
        reports = []

        def work():
            report = run(uploads.read_upload(path))
            reports.append(report)
            return report_result(report), summarize(report)

        outcome = jobs.run_tracked(job_id, work)
        if outcome.get("ok") and not keep(reports[0]):
            uploads.discard_upload(path)
        return outcome


def tagana_import_dry_run(job_id: str, path: str, source_name: str | None = None) -> dict:
    """Check an uploaded Tagana member list row by row; writes nothing."""
    from logistics.tagana import imports as tagana_import

    return _spreadsheet_import(
        job_id,
        path,
        lambda data: tagana_import.import_members(
            data, source_name=source_name or "", dry_run=True, progress=jobs.report_progress
        ),
        tagana_import.summarize,
        tagana_import.report_result,
        keep=lambda report: report.ok,
    )


def import_tagana_members(
    job_id: str, path: str, source_name: str | None = None, dry_run_job_id: str | None = None
) -> dict:
    """Check a Tagana member list again and save all of it when no row is wrong."""
    from logistics.tagana import imports as tagana_import

    return _spreadsheet_import(
        job_id,
        path,
        lambda data: tagana_import.import_members(
            data, source_name=source_name or "", progress=jobs.report_progress
        ),
        tagana_import.summarize,
        tagana_import.report_result,
        keep=lambda report: False,
    )


def budget_import_dry_run(
    job_id: str, path: str, fiscal_year: int, source_name: str | None = None
) -> dict:
    """Check an uploaded budget plan row by row and flag its printed totals; writes nothing."""
    from logistics.budget import imports as budget_import

    return _spreadsheet_import(
        job_id,
        path,
        lambda data: budget_import.import_plan(
            data,
            fiscal_year=fiscal_year,
            source_name=source_name or "",
            dry_run=True,
            progress=jobs.report_progress,
        ),
        budget_import.summarize,
        budget_import.report_result,
        keep=lambda report: report.ok,
    )


def import_budget_plan(
    job_id: str,
    path: str,
    fiscal_year: int,
    source_name: str | None = None,
    dry_run_job_id: str | None = None,
) -> dict:
    """Check a budget plan again and save its nodes, pagu and cash plans when no row is wrong."""
    from logistics.budget import imports as budget_import

    return _spreadsheet_import(
        job_id,
        path,
        lambda data: budget_import.import_plan(
            data,
            fiscal_year=fiscal_year,
            source_name=source_name or "",
            progress=jobs.report_progress,
        ),
        budget_import.summarize,
        budget_import.report_result,
        keep=lambda report: False,
    )


def spm_recompute(event_id: int, day: str | None = None) -> dict:
    """Bring one event's SPM rows for one day (or all its days) current; then its year."""
    from datetime import date

    from logistics.spm import aggregates as spm_aggregates
    from logistics.spm import tracking as spm_tracking

    the_day = date.fromisoformat(day) if day else None
    with job_context("spm"):
        with transaction():
            # Released first: a write landing while this runs queues a fresh job, never gets lost.
            spm_tracking.release(event_id, the_day)
            rows = spm_aggregates.recompute_event_day(event_id, the_day)
            year = spm_aggregates.event_year(event_id)
        # The same writes changed the event's impact matrix: counted here, not by the next
        # person to open the event or the pimpinan home page.
        warm_event_matrix(event_id)
        if year is not None:
            spm_tracking.queue_year(year)
        return {"event_id": event_id, "day": day, "rows": rows}


def spm_recompute_year(year: int) -> dict:
    """Recompute one fiscal year's distinct-person SPM achievement, then its Renstra figures."""
    from logistics.reports import year_figures
    from logistics.spm import aggregates as spm_aggregates
    from logistics.spm import tracking as spm_tracking

    with job_context("spm"):
        with transaction():
            spm_tracking.release_year(year)
            rows = spm_aggregates.recompute_year(year)
        # The year's Renstra figures went stale with its SPM table; one kept before is kept warm.
        with transaction():
            refreshed = year_figures.refresh_if_kept(year)
        return {"year": year, "rows": rows, "figures_refreshed": refreshed}


def spm_catch_up() -> dict:
    """Recompute what was marked stale while the queue was down."""
    from logistics.spm import aggregates as spm_aggregates

    with job_context("spm"):
        with transaction():
            done = spm_aggregates.catch_up()
        return {"recomputed": done}


def spm_rebuild(job_id: str, year: int | None = None) -> dict:
    """Rebuild every SPM aggregate (of one year, or all) with a progress bar."""
    from logistics.spm import aggregates as spm_aggregates

    with job_context(job_id):

        def work():
            result = spm_aggregates.rebuild(year, progress=jobs.report_progress)
            return result, f"Tabel SPM dibangun ulang: {result['daily_rows']} baris harian."

        return jobs.run_tracked(job_id, work)


def sitrep_generate(job_id: str, event_id: int, day: str, scope: list | None = None) -> dict:
    """Build one day's sitrep once, for the wilayah (see codes) of whoever asked, and store it
    as PDF, XLSX and an HTML snapshot offered to that scope only."""
    from datetime import date

    from logistics.areas.kab_kota import scope_key
    from logistics.core.scope import Scope
    from logistics.reports import files as report_files
    from logistics.reports import sitrep, sitrep_xlsx

    made_for = Scope(see=tuple(scope or ()), record=tuple(scope or ()))
    the_day = date.fromisoformat(day)
    with job_context(job_id):
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None

        def work():
            jobs.report_progress(5, "Mengumpulkan data")
            data = sitrep.build(event_id, the_day, made_for)
            key = sitrep.report_key(event_id, the_day)
            files = {}
            jobs.report_progress(35, "Menyusun PDF")
            renders = (
                ("pdf", sitrep.render_pdf),
                ("xlsx", sitrep_xlsx.render_xlsx),
                ("html", lambda d: sitrep.render_html(d).encode("utf-8")),
            )
            for step, (fmt, render) in enumerate(renders):
                content = render(data)
                name = sitrep.filename(data, fmt)
                stored = report_files.save(
                    sitrep.KIND, key, fmt, name, content, job_id, user_id, scope_key(made_for)
                )
                files[fmt] = stored.id
                jobs.report_progress(35 + 20 * (step + 1), f"{fmt.upper()} tersimpan")
            result = {"event_id": event_id, "day": day, "key": key, "files": files}
            return result, f"Laporan situasi {data['event']['code']} {day} siap diunduh."

        return jobs.run_tracked(job_id, work)


def year_report_generate(job_id: str, year: int) -> dict:
    """Build the year-end report of a fiscal year and store it as XLSX and PDF."""
    from logistics.reports import year_report

    with job_context(job_id):
        record = db.session.get(JobRecord, job_id)
        user_id = record.user_id if record else None

        def work():
            result = year_report.generate(
                year, job_id=job_id, user_id=user_id, progress=jobs.report_progress
            )
            return result, f"Laporan tahunan {result['year']} siap diunduh (XLSX dan PDF)."

        return jobs.run_tracked(job_id, work)
