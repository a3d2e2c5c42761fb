"""The ``sdw`` command group. Each subcommand lives in its own module and is added here."""

from __future__ import annotations

import click

from sdw import __version__
from sdw.cli._asl import asl
from sdw.cli._deploy import deploy
from sdw.cli._dev import dev
from sdw.cli._executions import executions
from sdw.cli._flows import flows
from sdw.cli._run import run
from sdw.cli._schedules import schedules
from sdw.cli._secrets import connections, secrets
from sdw.cli._usage import usage
from sdw.cli._users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdw")
def main() -> None:
    """sdw: Serverless Dynamic Workflows. Functions and flows, locally or on AWS."""


for command in (users, asl, dev, flows, run, executions, schedules, secrets, connections, usage,
                deploy):
    main.add_command(command)
