"""``python -m rnnviz``: the same as the ``rnnviz`` command."""

from rnnviz.launch import main

if __name__ == "__main__":
    raise SystemExit(main())
