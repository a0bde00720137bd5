from jifen_cli.cli import main

main()
