"""``python -m callcenter``: the command line (see ``callcenter.cli``)."""

from callcenter.cli import main

raise SystemExit(main())
