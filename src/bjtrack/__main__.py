from bjtrack.cli import main

main()
