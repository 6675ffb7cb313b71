"""The ``site-builder`` command line: argument parsing and thin commands that call one library function each."""
