from jvmready.cli import main

main()
