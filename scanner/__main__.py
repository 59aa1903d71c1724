"""`python -m scanner` is the same program as `apigw-scan`."""

import sys

from .cli import main

sys.exit(main())
