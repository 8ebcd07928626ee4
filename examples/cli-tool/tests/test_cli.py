from click.testing import CliRunner

from csvtool.cli import main


def test_columns():
    result = CliRunner().invoke(main, ["columns", "-"], input="a,b\n1,2\n")
    assert result.output.split() == ["a", "b"]
