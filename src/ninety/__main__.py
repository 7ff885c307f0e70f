from ninety.cli import main

main()
