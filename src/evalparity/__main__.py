from evalparity.cli import main

main()
