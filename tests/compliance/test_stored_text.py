"""Text people give the compliance package is refused when it holds characters that break
exports or deceive readers, and a refusal changes nothing; permit files are read safely."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import yaml
from tests.compliance.conftest import MN_STACK, permit_file, put_aggregates
from typer.testing import CliRunner

from ecozone.compliance import alerts
from ecozone.compliance.cli import app
from ecozone.compliance.evaluation import evaluate
from ecozone.compliance.marks import declare_mark, list_marks
from ecozone.compliance.model import ComplianceError
from ecozone.compliance.permits import import_permits, list_permits
from ecozone.store.schema import alert_action, audit_log
from ecozone.times import CHINA_STANDARD_TIME


def _counts(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (alert_action, audit_log)
        )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("停机检修\x0b", "reason: character U+000B at position 5 is not allowed"),
        ("\x1b[2J停机检修", "reason: character U+001B (ESC) at position 1 is not allowed"),
        ("停机\u202e修检", "reason: character U+202E at position 3 is not allowed"),
        ("停机\x00", "reason: character U+0000 (NUL) at position 3 is not allowed"),
    ],
)
def test_a_mark_reason_with_a_control_or_bidi_character_is_refused(engine, reason, message):
    before = _counts(engine)
    with pytest.raises(ComplianceError) as caught:
        declare_mark(engine, mn=MN_STACK, kind="maintenance", start="2024-05-01T09:00:00",
                     end="2024-05-01T10:00:00", reason=reason, actor="enterprise")  # fmt: skip
    assert message in caught.value.errors
    assert list_marks(engine) == [] and _counts(engine) == before


def test_a_multi_line_mark_reason_with_tabs_is_stored(engine):
    mark = declare_mark(engine, mn=MN_STACK, kind="maintenance", start="2024-05-01T09:00:00",
                        end="2024-05-01T10:00:00", reason="停机检修\r\n\t更换探头",
                        actor="enterprise")  # fmt: skip
    assert mark["reason"] == "停机检修\r\n\t更换探头"


def _open_alert(engine, points) -> int:
    import_permits(engine, permit_file(), actor="tester")
    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=1),
                          now=datetime(2024, 5, 1, 11, tzinfo=CHINA_STANDARD_TIME))  # fmt: skip
    return alert_id


def test_alert_comments_causes_and_measures_are_checked_before_anything_is_written(engine, points):
    alert_id = _open_alert(engine, points)
    before = _counts(engine)
    with pytest.raises(ComplianceError, match=r"^comment: character U\+0007 at position 3"):
        alerts.dispatch(engine, alert_id, "li", comment="请核\x07查")
    alerts.dispatch(engine, alert_id, "li", comment="请核查\n尽快")
    dispatched = _counts(engine)
    assert dispatched == (before[0] + 1, before[1] + 1)
    for field, values in (
        ("cause", {"cause": "脱硫泵\u202e故障", "measures": "已修复"}),
        ("measures", {"cause": "脱硫泵故障", "measures": "已修复\x1b[0m"}),
        ("comment", {"cause": "脱硫泵故障", "measures": "已修复", "comment": "\x00"}),
    ):
        with pytest.raises(ComplianceError, match=f"^{field}: character U\\+"):
            alerts.feedback(engine, alert_id, "wang", **values)
    assert _counts(engine) == dispatched
    assert alerts.get_alert(engine, alert_id)["state"] == "dispatched"


def test_text_of_a_permit_file_is_refused_with_its_path(engine):
    import_permits(engine, permit_file(), actor="tester")
    stored = list_permits(engine)
    data = permit_file()
    limit = data["permits"][0]["outlets"][0]["limits"][0]
    limit.update(standard="GB 13223\u202e-2011", unit="mg/m3\x00", limit=35)
    with pytest.raises(ComplianceError) as caught:
        import_permits(engine, data, actor="tester")
    assert caught.value.errors == [
        "permits[0].outlets[0].limits[0].unit: character U+0000 (NUL) at position 6 is not allowed",
        "permits[0].outlets[0].limits[0].standard: character U+202E at position 9 is not allowed",
    ]
    assert list_permits(engine) == stored


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_permit_list_output_reimports_unchanged(engine, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    runner = CliRunner()
    data = permit_file()
    second = copy.deepcopy(data["permits"][0])
    second.update(permit_no="91500000MA5U7AH918002P", valid_from="2019-01-01",
                  valid_to="2023-12-31")  # expired, listed with status: expired  # fmt: skip
    second["outlets"][1]["limits"] = []
    data["permits"].append(second)
    import_permits(engine, data, actor="tester")
    listed = _run(runner, "permit", "list")
    assert "status: expired" in listed and "enterprise: 重庆示例热电有限公司" in listed
    path = tmp_path / "listed.yaml"
    path.write_text(listed, encoding="utf-8")
    assert "permits unchanged: 2" in _run(runner, "permit", "import", str(path))
    assert _run(runner, "permit", "list") == listed


def test_a_repeated_limit_key_is_refused_and_the_stored_limit_stays(
    engine, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    import_permits(engine, permit_file(), actor="tester")
    stored = list_permits(engine)
    text = yaml.safe_dump(permit_file(), allow_unicode=True, sort_keys=False)
    # yaml.safe_load lets the last `limit` win: 100 would silently become 99999.
    text = text.replace("  limit: 100\n", "  limit: 100\n      limit: 99999\n", 1)
    assert yaml.safe_load(text)["permits"][0]["outlets"][0]["limits"][0]["limit"] == 99999
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      limit: 99999") + 1
    result = CliRunner().invoke(app, ["permit", "import", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: {path}: line {line}: key 'limit' is repeated (first at line {line - 1});"
        " each key may appear once\n"
    )
    assert list_permits(engine) == stored
