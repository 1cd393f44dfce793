"""``python -m callcenter``: the command line (see ``callcenter.commands.cli``)."""

from callcenter.commands.cli import main

raise SystemExit(main())
