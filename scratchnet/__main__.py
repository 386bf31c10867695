"""`python -m scratchnet report`: print the environment report to paste into a bug report."""

import sys

from scratchnet._report import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
