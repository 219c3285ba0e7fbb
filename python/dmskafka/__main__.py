"""`python -m dmskafka`: the `dmskafka` command."""

import sys

from dmskafka.cli import main

if __name__ == "__main__":
    sys.exit(main())
