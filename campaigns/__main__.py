from campaigns.cli import cli

cli()
