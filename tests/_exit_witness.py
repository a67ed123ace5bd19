"""Imported by a fork server as a warm library (``--warm _exit_witness``), so before its
warm exit: registers a C exit handler, as torch's static destructors are registered,
that prints one line when a child runs it."""

from _c_exit import print_at_exit

print_at_exit("a warm library's destructor ran")
