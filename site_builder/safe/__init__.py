"""The layers every read and write of files and of the network goes through."""
