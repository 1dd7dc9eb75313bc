from pathlib import Path

from conftest import Runner


def test_log_then_status_json(cli: Runner, plan_dir: Path) -> None:
    logged = cli("log", "investment", "150亿", "--date", "2022-06", cwd=plan_dir)
    assert logged.code == 0, logged.err
    assert "区内全年投资 150亿元 as of 2022-06-30" in logged.out
    result = cli("status", "--as-of", "2022-08-01", "--format", "json", cwd=plan_dir)
    assert result.code == 0, result.err
    assert '"actual": 15000000000' in result.out
