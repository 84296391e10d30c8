"""The boolean query language: one parser, a stream matcher and the archive search, in agreement."""
