"""Migrations 0009 and 0010: an archive made before the fields had one flat name opens and
upgrades, its question columns and ``qa_flat`` take the export's names with their values,
the record reads back unchanged, search keeps indexing what changes, and the downgrade gives
the old names back."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import inspect, text

from storage import Archive
from storage.engine import alembic_config, make_engine

T0 = datetime(2024, 3, 1, 12, 0)
URL = "https://doctorqna.com/en/article/200001"


def _archive_at_0008(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(text("INSERT INTO sites (name) VALUES ('doctorqna')"))
        conn.execute(
            text(
                "INSERT INTO pages (id, site_id, url, external_id, first_seen, last_seen, state,"
                " content_fetched_at) VALUES (1, 1, :url, '200001', :at, :at, 'active', :at)"
            ),
            {"url": URL, "at": T0},
        )
        conn.execute(
            text(
                "INSERT INTO captures (page_id, site_id, url, fetched_at, http_status,"
                " parse_outcome, view_count) VALUES (1, 1, :url, :at, 200, 'ok', 88)"
            ),
            {"url": URL, "at": T0},
        )
        conn.execute(
            text(
                "INSERT INTO answers (page_id, position, body, hospital)"
                " VALUES (1, 0, 'Rest.', 'General Hospital')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO questions (page_id, title, body, asker_name, age_min, age_max,"
                " age_label, sex, language, source_url, parser_version, missing) VALUES"
                " (1, 'Headache', 'Why?', 'Chen', 30, 39, '30~39 year old', 'female', 'en',"
                " :url, 'doctorqna/6', '[]')"
            ),
            {"url": URL},
        )
    engine.dispose()


def test_an_archive_made_before_reads_under_the_flat_names(db_url: str) -> None:
    _archive_at_0008(db_url)
    with Archive.open(db_url) as archive:
        with archive.engine.connect() as conn:
            flat = conn.execute(text("SELECT * FROM qa_flat")).mappings().one()
            asker = conn.execute(
                text(
                    "SELECT asker_age_min, asker_age_max, asker_age_label, asker_sex FROM questions"
                )
            ).one()
        assert (flat["asker_age_min"], flat["asker_age_max"], flat["asker_sex"]) == (
            30,
            39,
            "female",
        )
        assert flat["asker_age_label"] == "30~39 year old"
        assert (flat["first_body"], flat["first_hospital"], flat["view_count"]) == (
            "Rest.",
            "General Hospital",
            88,
        )
        assert tuple(asker) == (30, 39, "30~39 year old", "female")
        record = archive.record(URL)
        assert record is not None
        assert (record.asker.age_min, record.asker.sex, record.view_count) == (30, "female", 88)
        assert record.answers[0].hospital == "General Hospital"
        assert record.question_title == "Headache"
        assert [hit.page_id for hit in archive.search("headache")] == [1]
        with archive.engine.begin() as conn:  # the renamed columns still feed the index
            conn.execute(text("UPDATE questions SET question_title = 'Migraine at night'"))
        assert [hit.page_id for hit in archive.search("migraine")] == [1]
        assert archive.search("headache") == []


def test_the_downgrade_gives_the_old_names_back(db_url: str) -> None:
    _archive_at_0008(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        command.downgrade(alembic_config(conn), "0008")
        columns = {c["name"] for c in inspect(conn).get_columns("questions")}
        assert {"title", "body", "age_min", "sex"} <= columns
        flat = {c["name"] for c in inspect(conn).get_columns("qa_flat")}
        assert {"age_min", "sex", "first_reply"} <= flat
        assert conn.execute(text("SELECT sex, first_reply FROM qa_flat")).one() == (
            "female",
            "Rest.",
        )
    engine.dispose()
