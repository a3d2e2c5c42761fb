"""The ``sdw`` command group. Each subcommand lives in its own module and is added here."""

from __future__ import annotations

import click

from sdw import __version__
from sdw.cli._users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdw")
def main() -> None:
    """sdw: Serverless Dynamic Workflows. Functions and flows, locally or on AWS."""


main.add_command(users)

from sdw.cli._asl import asl  # noqa: E402

main.add_command(asl)

from sdw.cli._dev import dev  # noqa: E402

main.add_command(dev)

from sdw.cli._flows import flows  # noqa: E402

main.add_command(flows)

from sdw.cli._run import run  # noqa: E402

main.add_command(run)

from sdw.cli._executions import executions  # noqa: E402

main.add_command(executions)
