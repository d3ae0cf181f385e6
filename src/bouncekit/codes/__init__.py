"""The code knowledge base: grammar, lookup and structural decoding of reply and enhanced codes."""
